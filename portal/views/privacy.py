"""A customer's own privacy requests (/account/privacy/): a copy of their data, and erasure
(which waits for an admin's approval)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from panel1.exceptions import DomainError
from panel1.privacy import selectors, services
from panel1.privacy.models import Source
from portal.access import portal_login_required, render_portal


class ErasureForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Type your email address to confirm"), max_length=254
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone."), required=True
    )


@portal_login_required
def privacy_home(request, erasure_form=None):
    exports = [
        (export, selectors.export_download_path(export))
        for export in selectors.export_list_for_person(request.user)
    ]
    context = {
        "exports": exports,
        "erasure": selectors.erasure_open_for_person(request.user),
        "erasure_form": erasure_form or ErasureForm(),
    }
    return render_portal(request, "portal/accounts/privacy.html", context)


@require_POST
@portal_login_required
def privacy_export(request):
    services.privacy_export_request(
        actor=request.user, email=request.user.email, source=Source.PORTAL
    )
    messages.success(request, _("Your data export is being prepared. Reload this page soon."))
    return redirect("portal:privacy")


@require_POST
@portal_login_required
def privacy_erasure(request):
    form = ErasureForm(request.POST)
    if form.is_valid() and form.cleaned_data["email"].lower() != request.user.email.lower():
        form.add_error("email", _("This is not your email address."))
    if not form.is_valid():
        return privacy_home(request, erasure_form=form)
    try:
        services.privacy_erasure_request(
            actor=request.user, email=request.user.email, confirm=True, source=Source.PORTAL
        )
    except DomainError as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(
            request, _("Your request was sent. A team member will approve it shortly.")
        )
    return redirect("portal:privacy")
