"""The report pages (/desk/reports/<name>/): filters, a chart, the previous period, a table.

Everything is read through `reports.params` and `reports.selectors` (the API uses the same);
agents see their own figures only. Exports link to the report API with the same filters.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from desk.charts import bar_chart
from desk.report_charts import series_chart
from desk.views.base import desk_view, error_messages, flash_error, sidebar_context
from panel1.accounts.models import STAFF_ROLES, User
from panel1.exceptions import DomainError
from reports.digest import (
    digest_eligible,
    digest_next_send,
    digest_subscribe,
    digest_subscribed,
)
from reports.figures import REPORTS
from reports.params import INTERVALS, report_params_build
from reports.selectors import report_run
from reports.services import tenant_zone
from tickets.models import Category, Channel, Priority


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(required=False, label=_("To"), widget=forms.DateInput({"type": "date"}))
    category = forms.MultipleChoiceField(required=False, label=_("Category"))
    agent = forms.MultipleChoiceField(required=False, label=_("Agent"))
    priority = forms.MultipleChoiceField(
        required=False, choices=Priority.choices, label=_("Priority")
    )
    channel = forms.MultipleChoiceField(required=False, choices=Channel.choices, label=_("Channel"))
    tag = forms.CharField(required=False, max_length=50, label=_("Tag"))
    interval = forms.ChoiceField(
        required=False, choices=[(i, i.title()) for i in INTERVALS], label=_("Per")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("none", _("Uncategorized"))] + [
            (str(pk), name) for pk, name in Category.objects.values_list("pk", "name")
        ]
        if user.is_supervisor_or_admin:
            staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("email")
            self.fields["agent"].choices = [(str(u.pk), u.email) for u in staff.only("id", "email")]
        else:
            del self.fields["agent"]


def _params(data: dict, user):
    categories = [None if c == "none" else c for c in data.get("category") or []]
    return report_params_build(
        viewer=user,
        zone=tenant_zone(),
        start=data.get("start"),
        end=data.get("end"),
        categories=categories,
        agents=data.get("agent") or [],
        priorities=data.get("priority") or [],
        channels=data.get("channel") or [],
        tags=[data["tag"]] if data.get("tag") else [],
        interval=data.get("interval") or "day",
    )


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, int | float | str)


def _comparison(totals: dict, previous: dict) -> list[dict]:
    rows = []
    for key, value in totals.items():
        if not _is_scalar(value) or isinstance(value, str):
            continue
        before = previous.get(key)
        change = None
        if isinstance(value, int | float) and isinstance(before, int | float) and before:
            change = round(100 * (value - before) / abs(before), 1)
        rows.append({"label": _label(key), "current": value, "previous": before, "change": change})
    return rows


def _breakdowns(totals: dict) -> list[dict]:
    tables = []
    for key, value in totals.items():
        if isinstance(value, dict) and value and all(_is_scalar(v) for v in value.values()):
            rows = [[k, v] for k, v in value.items()]
            tables.append({"title": _label(key), "headers": ["", _("Count")], "rows": rows})
        elif isinstance(value, dict) and value:  # e.g. distribution: {question: {score: n}}
            headers = ["", *next(iter(value.values())).keys()]
            rows = [[_label(k), *v.values()] for k, v in value.items()]
            tables.append({"title": _label(key), "headers": headers, "rows": rows})
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            headers = list(value[0])
            tables.append({"title": _label(key), "headers": [_label(h) for h in headers],
                           "rows": [[row.get(h) for h in headers] for row in value]})  # fmt: skip
    return tables


def _series(rows: list[dict], *keys: str) -> dict:
    return {_label(key): [row.get(key) for row in rows] for key in keys}


def _charts(name: str, rows: list[dict], totals: dict) -> list:
    dates = [str(row.get("date", "")) for row in rows]
    if name == "overview":
        backlog = _("Backlog (open at the end of each day)")
        return [
            series_chart(_("Created and solved"), dates, _series(rows, "created", "solved")),
            series_chart(backlog, dates, _series(rows, "backlog")),
            bar_chart(_("Created by channel"), totals.get("by_channel", {})),
        ]
    if name == "sla":
        data = _series(rows, "first_response_rate", "resolution_rate")
        return [series_chart(_("SLA met"), dates, data, unit="%", top=100)]
    if name == "satisfaction":
        data = _series(rows, "score", "response_time", "solution", "team")
        return [series_chart(_("Satisfaction (1-5)"), dates, data, top=5)]
    if name == "knowledge-base":
        data = _series(rows, "searches", "zero_result_searches", "suggestions_shown", "deflected")
        return [series_chart(_("Searches and deflection"), dates, data)]
    if name == "response-times":
        by = {row["label"]: row["first_response_median"] or 0 for row in rows}
        return [bar_chart(_("First response median (minutes)"), by)]
    if name == "agents":
        # Names, not addresses (an agent without a name: the part before the @).
        solved = {(row["name"] or row["email"].split("@")[0]): row["solved"] for row in rows}
        return [bar_chart(_("Solved"), solved)]
    if name == "categories":
        return [bar_chart(_("Created"), {row["name"]: row["created"] for row in rows})]
    if name == "tags":
        top = sorted(rows, key=lambda row: -row["created"])[:15]
        return [bar_chart(_("Created (top 15 tags)"), {row["tag"]: row["created"] for row in top})]
    return []


def _export_links(request, name: str) -> dict[str, str]:
    query = [(k, value) for k, values in request.GET.lists() for value in values if k != "format"]
    base = f"/api/v1/reports/{name}/"
    return {fmt: f"{base}?{urlencode([*query, ('format', fmt)])}" for fmt in ("csv", "xlsx")}


@require_GET
@desk_view
def report_page(request, name: str = "overview"):
    report = REPORTS.get(name)
    if report is None:
        raise Http404("No such report.")
    form = ReportFilterForm(request.GET or None, user=request.user)
    context = {
        "reports": REPORTS.values(),
        "report": report,
        "form": form,
        "exports": _export_links(request, name),
        **sidebar_context(request, counts=False, active="reports"),
    }
    if request.GET and not form.is_valid():
        return render(request, "desk/report.html", context, status=400)
    try:
        params = _params(form.cleaned_data if request.GET else {}, request.user)
    except DomainError as exc:
        context["errors"] = error_messages(exc)
        return render(request, "desk/report.html", context, status=400)
    data = report_run(name=name, params=params)
    context.update(_result_context(report, data), own_only=params.own_only)
    return render(request, "desk/report.html", context)


def _shown(value):
    """Dates as ISO days (what the filters and exports use), the rest as they are."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _result_context(report, data: dict) -> dict:
    columns = list(report.columns)
    return {
        "data": data,
        "charts": _charts(report.name, data["rows"], data["totals"]),
        "comparison": _comparison(data["totals"], data["previous"]),
        "breakdowns": _breakdowns(data["totals"]),
        "columns": [_label(c) for c in columns],
        "table": [[_shown(row.get(c)) for c in columns] for row in data["rows"]],
    }


@require_http_methods(["GET", "POST"])
@desk_view
def digest_settings(request):
    """The weekly digest mail: on or off for the signed-in supervisor or admin."""
    user = request.user
    if request.method == "POST":
        wanted = request.POST.get("subscribed") == "1"
        try:
            digest_subscribe(user=user, enabled=wanted)
        except DomainError as exc:
            flash_error(request, exc)
        else:
            messages.success(
                request,
                _("The weekly digest is on.") if wanted else _("The weekly digest is off."),
            )
        return redirect("desk:report-digest")
    zone = tenant_zone()
    context = {
        "reports": REPORTS.values(),
        "subscribed": digest_subscribed(user),
        "eligible": digest_eligible(user),
        "zone": zone.key,
        "next_digest_at": digest_next_send(timezone.now(), zone).astimezone(zone),
        **sidebar_context(request, counts=False, active="reports"),
    }
    return render(request, "desk/report_digest.html", context)
