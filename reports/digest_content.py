"""What the weekly digest says: the week's key figures beside the week before, with links.

Figures come from the reports themselves (the same numbers as the desk pages), computed once
per tenant and week; each recipient's mail is rendered in their language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from panel1.accounts.models import User
from reports.params import report_params_build
from reports.selectors import report_run
from reports.services import tenant_zone
from tickets.email.addresses import header_safe
from tickets.email.rendering import Brand

TOP = 5
# (report, totals key, label, unit); labels are translated when a mail is rendered.
FIGURES = (
    ("overview", "created", N_("Tickets created"), ""),
    ("overview", "solved", N_("Tickets solved"), ""),
    ("overview", "backlog_end", N_("Open at the end of the week"), ""),
    ("response-times", "first_response_business_median", N_("First response, median"), "bmin"),
    ("response-times", "resolution_business_median", N_("Resolution, median"), "bmin"),
    ("sla", "first_response_rate", N_("First response SLA met"), "%"),
    ("sla", "resolution_rate", N_("Resolution SLA met"), "%"),
    ("satisfaction", "score", N_("Satisfaction (1-5)"), ""),
    ("satisfaction", "responses", N_("Survey answers"), ""),
)
UNITS = {"bmin": N_("business minutes"), "%": "%", "": ""}


@dataclass(frozen=True)
class DigestFigures:
    start: dt.date
    end: dt.date
    results: dict  # report name -> report_run() answer
    previous_start: dt.date
    previous_end: dt.date


def digest_figures(*, week: dt.date, viewer: User) -> DigestFigures:
    """The reports behind the digest for the week starting `week` (a Monday)."""
    end = week + dt.timedelta(days=6)
    params = report_params_build(viewer=viewer, zone=tenant_zone(), start=week, end=end)
    names = dict.fromkeys([name for name, *_rest in FIGURES] + ["categories", "agents"])
    results = {name: report_run(name=name, params=params) for name in names}
    before = params.previous()
    return DigestFigures(
        start=week,
        end=end,
        results=results,
        previous_start=before.start,
        previous_end=before.end,
    )


def _change(current, previous) -> str:
    if not isinstance(current, int | float) or not isinstance(previous, int | float):
        return ""
    if not previous:
        return ""
    change = round(100 * (current - previous) / abs(previous), 1)
    return f"{'+' if change > 0 else ''}{change} %"


def _link(base_url: str, name: str, figures: DigestFigures) -> str:
    query = urlencode({"start": figures.start.isoformat(), "end": figures.end.isoformat()})
    return f"{base_url}/desk/reports/{name}/?{query}"


def _rows(figures: DigestFigures, base_url: str) -> list[dict]:
    rows = []
    for name, key, label, unit in FIGURES:
        result = figures.results[name]
        current, previous = result["totals"].get(key), result["previous"].get(key)
        rows.append(
            {
                "label": _(label),
                "current": "—" if current is None else current,
                "previous": "—" if previous is None else previous,
                "unit": _(UNITS[unit]) if unit and current is not None else "",
                "change": _change(current, previous),
                "url": _link(base_url, name, figures),
            }
        )
        rows[-1]["line"] = _text_line(rows[-1])
    return rows


def _text_line(row: dict) -> str:
    """One figure in the plain-text mail: "Tickets solved: 12 (week before: 10, +20.0 %)"."""
    unit = f" {row['unit']}" if row["unit"] else ""
    change = f", {row['change']}" if row["change"] else ""
    before = _("week before")
    return f"{row['label']}: {row['current']}{unit} ({before}: {row['previous']}{change})"


def _top(figures: DigestFigures, name: str, label_key: str, count_key: str) -> list[dict]:
    rows = [r for r in figures.results[name]["rows"] if r.get(count_key)]
    rows.sort(key=lambda r: (-r[count_key], str(r.get(label_key))))
    return [
        {"label": r.get("name") or r.get(label_key) or _("Uncategorized"), "count": r[count_key]}
        for r in rows[:TOP]
    ]


def digest_render(
    figures: DigestFigures, *, recipient: User, base_url: str, brand: Brand
) -> tuple[str, str, str]:
    """Subject, text and HTML of one recipient's digest (in the active language)."""
    subject = header_safe(
        _("Weekly support digest: %(start)s – %(end)s")
        % {"start": figures.start.isoformat(), "end": figures.end.isoformat()},
        limit=200,
    )
    context = {
        "subject": subject,
        "brand": brand,
        "recipient": recipient,
        "figures": figures,
        "rows": _rows(figures, base_url),
        "categories": _top(figures, "categories", "name", "created"),
        "agents": _top(figures, "agents", "email", "solved"),
        "reports_url": _link(base_url, "overview", figures),
        "settings_url": f"{base_url}/desk/reports/digest/",
    }
    body_text = render_to_string("emails/digest/weekly.txt", context)
    body_html = render_to_string("emails/digest/weekly.html", context)
    layout = {"brand": brand, "subject": subject}
    text = render_to_string("emails/layout.txt", {**layout, "body": body_text})
    html = render_to_string("emails/layout.html", {**layout, "body": body_html})
    return subject, text, html
