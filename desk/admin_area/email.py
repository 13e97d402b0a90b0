"""Email settings: where mail comes from and goes to, and the notification texts with a live
preview of the mail exactly as the customer will see it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from desk.admin_area.forms import EmailTemplateForm
from panel1.accounts.services import site_base_url
from panel1.content_language import (
    default_language,
    language_name,
    normalize_language,
    offered_languages,
)
from panel1.exceptions import DomainError
from panel1.tenants.services import current_tenant
from tickets.email.addresses import mail_domain
from tickets.email.dkim_signing import active_dkim_key, dkim_dns_record, dkim_key_generate
from tickets.email.outbound import mail_subject
from tickets.email.rendering import (
    PLACEHOLDERS,
    Brand,
    default_template,
    render_sources,
    sample_values,
)
from tickets.models import EmailTemplate, EmailTemplateKey, ImapMailbox
from tickets.services.email_templates import email_template_reset, email_template_save


def _brand(request) -> Brand:
    tenant = current_tenant()
    base = site_base_url(request)
    return Brand(
        name=tenant.brand_name,
        color=tenant.primary_color,
        logo_url=f"{base}/branding/logo" if tenant.logo else "",
        footer=tenant.footer_text,
        home_url=base + "/",
    )


@admin_view("email")
def email_overview(request):
    return admin_render(request, "desk/admin/email.html", _overview_context(current_tenant()))


def _overview_context(tenant, *, dkim_errors=None) -> dict:
    default = default_language()
    texts: dict[str, dict[str, EmailTemplate]] = {}
    for template in EmailTemplate.objects.all():
        texts.setdefault(template.key, {})[template.language] = template
    offered = offered_languages()
    rows = [
        {
            "key": key,
            "label": label,
            "override": texts.get(key, {}).get(default),
            "languages": [code for code in offered if code in texts.get(key, {})],
            "missing": [code for code in offered if code not in texts.get(key, {})],
        }
        for key, label in EmailTemplateKey.choices
    ]
    key = active_dkim_key()
    name, value = dkim_dns_record(key) if key else ("", "")
    return {
        "rows": rows,
        "support_email": tenant.support_email,
        "default_from": settings.SUPPORT_FROM_EMAIL,
        "reply_to": getattr(settings, "SUPPORT_REPLY_TO_EMAIL", ""),
        "sending": settings.ENABLE_EMAIL_SENDING,
        "mailboxes": ImapMailbox.objects.order_by("name"),
        "dkim_key": key,
        "dkim_record_name": name,
        "dkim_record_value": value,
        "dkim_signing": settings.EMAIL_DKIM_SIGNING,
        "dkim_default_domain": mail_domain(tenant),
        "dkim_errors": dkim_errors or {},
    }


@admin_view("email")
@require_POST
def dkim_generate(request):
    """Make a new DKIM signing key; the page then shows the DNS record to publish."""
    tenant = current_tenant()
    try:
        dkim_key_generate(
            actor=request.user,
            domain=request.POST.get("domain") or mail_domain(tenant),
            selector=request.POST.get("selector", ""),
        )
    except DomainError as exc:
        context = _overview_context(tenant, dkim_errors=exc.errors)
        return admin_render(request, "desk/admin/email.html", context, status=400)
    messages.success(
        request, _("New DKIM key made: publish its DNS record; mail is signed with it from now on.")
    )
    return redirect("desk:admin-email")


def _key_or_404(key: str) -> str:
    from django.http import Http404

    if key not in EmailTemplateKey.values:
        raise Http404
    return key


def _language_or_404(request) -> str:
    from django.http import Http404

    asked = request.POST.get("language") or request.GET.get("lang") or ""
    language = normalize_language(asked) if asked else default_language()
    if language is None or language not in offered_languages():
        raise Http404
    return language


@admin_view("email")
def template_edit(request, key):
    """The text of one notification in one language (`?lang=`, default: the tenant's). A
    language without its own text starts from the default language's, to translate."""
    key = _key_or_404(key)
    language = _language_or_404(request)
    texts = {t.language: t for t in EmailTemplate.objects.filter(key=key)}
    override = texts.get(language)
    start = override or texts.get(default_language())
    subject, text, html = default_template(key)
    initial = {"key": key, "subject": subject, "body_text": text, "body_html": html}
    if start is not None:
        initial.update(
            subject=start.subject,
            body_text=start.body_text,
            body_html=start.body_html,
            is_active=start.is_active,
        )
    else:
        initial["is_active"] = True
    form = EmailTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            email_template_save(actor=request.user, language=language, **data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Mail text saved."))
            return redirect("desk:admin-email")
    source = form.data if form.is_bound else initial
    context = {
        "key": key,
        "label": EmailTemplateKey(key).label,
        "form": form,
        "override": override,
        "language": language,
        "language_label": language_name(language),
        "languages": [
            {"code": code, "name": language_name(code), "has_text": code in texts}
            for code in offered_languages()
        ],
        "preview": _preview(request, source),
        "placeholders": sorted(PLACEHOLDERS),
    }
    return admin_render(
        request, "desk/admin/email_template.html", context, status=400 if form.errors else 200
    )


def _preview(request, source) -> dict:
    brand = _brand(request)
    try:
        mail = render_sources(
            subject_tpl=str(source.get("subject", ""))[:1000],
            text_tpl=str(source.get("body_text", ""))[:50_000],
            html_tpl=str(source.get("body_html", ""))[:50_000],
            values=sample_values(brand=brand),
            brand=brand,
        )
    except Exception:  # a half-typed template must never break the page
        return {"error": "The preview cannot be shown for this text yet."}
    # The subject as it leaves: the ticket number in front, one format for every mail.
    number = sample_values(brand=brand)["ticket_number"]
    return {"subject": mail_subject(mail.subject, number), "html": mail.html, "text": mail.text}


@admin_view("email")
@require_POST
def template_preview(request, key):
    _key_or_404(key)
    return admin_render(
        request, "desk/admin/_email_preview.html", {"preview": _preview(request, request.POST)}
    )


@admin_view("email")
@require_POST
def template_reset(request, key):
    key = _key_or_404(key)
    email_template_reset(actor=request.user, key=key, language=_language_or_404(request))
    messages.success(request, _("The default text applies again."))
    return redirect("desk:admin-email")
