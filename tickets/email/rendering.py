"""Notification content: safe placeholder templates inside the tenant's branded layout.

Subjects and bodies (the defaults in templates/emails/notifications/ and the tenant's
EmailTemplate overrides) use `{{ name }}` placeholders from a fixed list, substituted in ONE
pass: a value is inserted as data and never scanned again, so a customer message containing
`{{ ticket_number }}` or `{% ... %}` arrives literally. In HTML bodies values are escaped
(newlines become <br>); only blocks our code builds (SafeString) go in as markup. The result
is wrapped in the branded layout (emails/layout.html / emails/layout.txt, Django templates with
autoescape) carrying the tenant's name, colour, logo and footer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from panel1.content_language import fallback_chain
from tickets.email.addresses import MAX_SUBJECT_CHARS, header_safe
from tickets.email.parsing import sanitize_html
from tickets.models import EmailTemplate, EmailTemplateKey

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PLACEHOLDERS = frozenset(
    {
        "brand_name",
        "ticket_number",
        "ticket_subject",
        "ticket_status",
        "ticket_priority",
        "ticket_url",
        "recipient_name",
        "requester_name",
        "requester_email",
        "assignee_name",
        "actor_name",
        "author_name",
        "message",
        "attachments",
        "survey_url",
        "rating_url_1",
        "rating_url_2",
        "rating_url_3",
        "rating_url_4",
        "rating_url_5",
        "rating_links",
        "reason",
        "escalation_level",
        "notice_title",
        "notice_source",
    }
)
MAX_TEMPLATE_CHARS = 50_000


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Brand:
    name: str
    color: str
    logo_url: str
    footer: str
    home_url: str


def render_placeholders(template: str, values: dict[str, str], *, html: bool = False) -> str:
    """Substitute `{{ name }}` placeholders in one pass; unknown names stay as written."""

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if not html:
            return str(value)
        if isinstance(value, SafeString):
            return str(value)
        return str(escape(str(value))).replace("\n", "<br>\n")

    return PLACEHOLDER_RE.sub(substitute, template or "")


def template_errors(*, key: str, subject: str, body_text: str, body_html: str) -> dict:
    """Validation messages for a tenant's template (unknown placeholders, sizes)."""
    errors: dict[str, list[str]] = {}
    if key not in EmailTemplateKey.values:
        errors["key"] = [_("%(key)s is not a notification.") % {"key": repr(key)}]
    for field, value in (("subject", subject), ("body_text", body_text), ("body_html", body_html)):
        unknown = sorted({m.group(1) for m in PLACEHOLDER_RE.finditer(value or "")} - PLACEHOLDERS)
        if unknown:
            errors.setdefault(field, []).append(
                "Unknown placeholder(s): "
                + ", ".join(unknown)
                + ". Available: "
                + ", ".join(sorted(PLACEHOLDERS))
            )
        if len(value or "") > MAX_TEMPLATE_CHARS:
            errors.setdefault(field, []).append(
                _("Use at most %(max_template_chars)s characters.")
                % {"max_template_chars": MAX_TEMPLATE_CHARS}
            )
    if "\n" in (subject or "") or "\r" in (subject or ""):
        errors.setdefault("subject", []).append(_("The subject is one line."))
    return errors


@lru_cache(maxsize=512)
def _default_source(name: str, language: str | None) -> str:
    """A default in `language`: the file is a Django template whose translatable sentences
    are marked ({% translate %}, {% blocktranslate %}); rendering it with every placeholder
    standing for itself gives a placeholder template in that language."""
    context = Context(
        {key: "{{ " + key + " }}" for key in PLACEHOLDERS}, autoescape=name.endswith(".html")
    )
    with translation.override(language):
        return get_template(name).template.render(context)


def default_template(key: str) -> tuple[str, str, str]:
    base = f"emails/notifications/{key}"
    language = translation.get_language()
    return (
        _default_source(f"{base}.subject.txt", language).strip(),
        _default_source(f"{base}.txt", language),
        _default_source(f"{base}.html", language),
    )


def template_override(key: str, language: str | None = None) -> EmailTemplate | None:
    """The tenant's active text for `key` in `language` (default: the current language, the
    one mail is rendered in), else in the tenant's default language, else None."""
    chain = fallback_chain(language)
    found = {
        t.language: t
        for t in EmailTemplate.objects.filter(key=key, is_active=True, language__in=chain)
    }
    return next((found[code] for code in chain if code in found), None)


def template_for(key: str, language: str | None = None) -> tuple[str, str, str]:
    """(subject, body_text, body_html) for `key`: the tenant's active override in the mail's
    language (`template_override`), else the default."""
    override = template_override(key, language)
    if override is None:
        return default_template(key)
    html = override.body_html
    if not html.strip():
        html = "<p>" + override.body_text.replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
    return override.subject, override.body_text, html


def render_email(*, key: str, values: dict[str, str], brand: Brand) -> RenderedEmail:
    """Render subject, text and HTML for one notification, wrapped in the branded layout."""
    subject_tpl, text_tpl, html_tpl = template_for(key)
    return render_sources(
        subject_tpl=subject_tpl, text_tpl=text_tpl, html_tpl=html_tpl, values=values, brand=brand
    )


def render_sources(
    *, subject_tpl: str, text_tpl: str, html_tpl: str, values: dict[str, str], brand: Brand
) -> RenderedEmail:
    """Render given template sources exactly as a sent mail (the admin area's live preview)."""
    if not (html_tpl or "").strip():
        html_tpl = (
            "<p>" + (text_tpl or "").replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
        )
    subject = header_safe(render_placeholders(subject_tpl, values), limit=MAX_SUBJECT_CHARS)
    body_text = render_placeholders(text_tpl, values).strip() + "\n"
    # Our defaults and a tenant admin's HTML are markup we allow; sanitize all the same.
    body_html = sanitize_html(render_placeholders(html_tpl, values, html=True))
    context = {"brand": brand, "subject": subject}
    text = render_to_string("emails/layout.txt", {**context, "body": body_text})
    # body_html was sanitized above.
    html = render_to_string("emails/layout.html", {**context, "body": mark_safe(body_html)})
    return RenderedEmail(subject=subject, text=text, html=html)


def rating_links_html(urls: dict[int, str]) -> SafeString:
    """The five one-click rating buttons (markup built here, values escaped)."""
    labels = {1: _("1 - Poor"), 2: "2", 3: "3", 4: "4", 5: _("5 - Excellent")}
    links = " &middot; ".join(
        f'<a href="{escape(urls[n])}" style="font-weight:bold">{escape(labels[n])}</a>'
        for n in sorted(urls)
    )
    return mark_safe(f"<p>{links}</p>")  # every value is escaped


# Values a preview fills in, as a customer would see them.
SAMPLE_VALUES = {
    "brand_name": "",
    "ticket_number": "SUP-2026-00000042",
    "ticket_subject": "The printer on floor 3 is jammed",
    "ticket_status": "Open",
    "ticket_priority": "High",
    "ticket_url": "",
    "recipient_name": "Carol Customer",
    "requester_name": "Carol Customer",
    "requester_email": "carol@example.com",
    "assignee_name": "Alice Agent",
    "actor_name": "Alice Agent",
    "author_name": "Alice Agent",
    "message": "Thanks for the report. A technician is on the way.",
    "attachments": "",
    "survey_url": "",
    "reason": "First response target breached",
    "escalation_level": "1",
    "notice_title": "SLA escalation",
    "notice_source": "Gold SLA",
}


def sample_values(*, brand: Brand) -> dict[str, str]:
    values = dict(SAMPLE_VALUES, brand_name=brand.name)
    base = brand.home_url.rstrip("/")
    values["ticket_url"] = f"{base}/tickets/SUP-2026-00000042/"
    values["survey_url"] = f"{base}/tickets/SUP-2026-00000042/rate/"
    for n in range(1, 6):
        values[f"rating_url_{n}"] = f"{values['survey_url']}?rating={n}"
    values["rating_links"] = rating_links_html({n: values[f"rating_url_{n}"] for n in range(1, 6)})
    return values
