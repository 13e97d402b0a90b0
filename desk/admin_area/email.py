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
    overrides = {t.key: t for t in EmailTemplate.objects.all()}
    rows = [
        {"key": key, "label": label, "override": overrides.get(key)}
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


@admin_view("email")
def template_edit(request, key):
    key = _key_or_404(key)
    override = EmailTemplate.objects.filter(key=key).first()
    subject, text, html = default_template(key)
    initial = {"key": key, "subject": subject, "body_text": text, "body_html": html}
    if override is not None:
        initial.update(
            subject=override.subject,
            body_text=override.body_text,
            body_html=override.body_html,
            is_active=override.is_active,
        )
    else:
        initial["is_active"] = True
    form = EmailTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            email_template_save(actor=request.user, **data)
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
    email_template_reset(actor=request.user, key=_key_or_404(key))
    messages.success(request, _("The default text applies again."))
    return redirect("desk:admin-email")
