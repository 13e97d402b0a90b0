"""Privacy requests in the desk (/desk/privacy/), for admins: start a data export or an
erasure for a person, approve customers' own erasure requests, download ready exports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from desk.views.audit import admin_only
from desk.views.base import flash_error, sidebar_context
from panel1.exceptions import DomainError
from panel1.privacy import selectors, services
from panel1.privacy.models import Erasure, RetentionPolicy, Source
from panel1.security import services as security
from panel1.tenants.services import current_tenant


class PersonForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email address"), max_length=254)


class ErasureForm(PersonForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm: erase this person irreversibly."), required=True
    )


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = [
            "closed_tickets",
            "closed_ticket_action",
            "inbound_mail",
            "idempotency_records",
            "processed_events",
            "automation_runs",
            "expired_exports",
        ]


@require_POST
@admin_only
def retention_update(request):
    form = RetentionForm(request.POST, instance=RetentionPolicy.get())
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{field}: {error}")
        return redirect("desk:privacy")
    try:
        services.retention_policy_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The retention policy was saved."))
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("desk:privacy")


class SecurityPolicyForm(forms.Form):
    require_2fa_staff = forms.BooleanField(
        required=False, label=gettext_lazy("Agents and supervisors must use two-factor sign-in")
    )
    require_2fa_admins = forms.BooleanField(
        required=False, label=gettext_lazy("Admins must use two-factor sign-in")
    )


@require_POST
@admin_only
def security_update(request):
    form = SecurityPolicyForm(request.POST)
    if form.is_valid():
        security.security_policy_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The security policy was saved."))
    return redirect("desk:privacy")


@admin_only
def privacy_page(request):
    exports, erasures = selectors.privacy_requests_recent()
    context = {
        "exports": [(e, selectors.export_download_path(e)) for e in exports],
        "erasures": erasures,
        "export_form": PersonForm(prefix="export"),
        "erasure_form": ErasureForm(prefix="erasure"),
        "retention_form": RetentionForm(instance=RetentionPolicy.get()),
        "security_form": _security_form(),
        **sidebar_context(request, counts=False, active="privacy"),
    }
    return render(request, "desk/privacy.html", context)


def _security_form() -> SecurityPolicyForm:
    policy = current_tenant()
    return SecurityPolicyForm(
        initial={
            "require_2fa_staff": policy.require_2fa_staff,
            "require_2fa_admins": policy.require_2fa_admins,
        }
    )


def _run(request, form, action):
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("desk:privacy")
    try:
        action(form.cleaned_data)
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("desk:privacy")


@require_POST
@admin_only
def privacy_export_start(request):
    def start(data):
        services.privacy_export_request(actor=request.user, email=data["email"], source=Source.DESK)
        messages.success(request, _("The export is being built."))

    return _run(request, PersonForm(request.POST, prefix="export"), start)


@require_POST
@admin_only
def privacy_erasure_start(request):
    def start(data):
        services.privacy_erasure_request(
            actor=request.user, email=data["email"], confirm=data["confirm"], source=Source.DESK
        )
        messages.success(request, _("The erasure is under way."))

    return _run(request, ErasureForm(request.POST, prefix="erasure"), start)


@require_POST
@admin_only
def privacy_erasure_approve(request, pk):
    erasure = get_object_or_404(Erasure, pk=pk)
    try:
        services.privacy_erasure_approve(actor=request.user, erasure=erasure)
        messages.success(request, _("Approved: the erasure is under way."))
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("desk:privacy")
