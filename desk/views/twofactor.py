"""Two-factor sign-in pages (/desk/2fa/): set up an authenticator app, enter a code after
the password (desk and Django admin send staff here), turn it off."""

from __future__ import annotations

from base64 import b32encode

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from desk.views.base import desk_view, flash_error, safe_next, sidebar_context
from panel1.exceptions import DomainError
from panel1.security import services


class CodeForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Code"), max_length=16, strip=True)


def _page(request, template, context, status=200):
    context = {**context, **sidebar_context(request, counts=False, active="twofactor")}
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@desk_view
def twofactor_home(request):
    """Verify when an authenticator is set up, else set one up."""
    user = request.user
    next_url = safe_next(request, "/desk/")
    if services.twofactor_enabled(user):
        if user.is_verified():
            return _page(request, "desk/twofactor.html", {"mode": "enabled", "next": next_url})
        return _page(
            request, "desk/twofactor.html", {"mode": "verify", "form": CodeForm(), "next": next_url}
        )
    device = services.totp_device_start(user=user)
    return _page(request, "desk/twofactor.html", _setup_context(device, CodeForm(), next_url))


def _setup_context(device: TOTPDevice, form, next_url) -> dict:
    return {
        "mode": "setup",
        "form": form,
        "device": device,
        "secret": b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
        "next": next_url,
    }


@require_POST
@desk_view
def twofactor_verify(request):
    form = CodeForm(request.POST)
    next_url = safe_next(request, "/desk/")
    if form.is_valid() and services.twofactor_verify(
        request=request, token=form.cleaned_data["token"]
    ):
        return redirect(next_url)
    messages.error(request, _("That code is not right."))
    return _page(
        request,
        "desk/twofactor.html",
        {"mode": "verify", "form": CodeForm(), "next": next_url},
        400,
    )


@require_POST
@desk_view
def twofactor_setup(request, pk):
    device = get_object_or_404(TOTPDevice, pk=pk, user=request.user, confirmed=False)
    form = CodeForm(request.POST)
    next_url = safe_next(request, "/desk/")
    if form.is_valid():
        try:
            codes = services.totp_device_confirm(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except DomainError as exc:
            flash_error(request, exc)
        else:
            return _page(
                request, "desk/twofactor.html", {"mode": "codes", "codes": codes, "next": next_url}
            )
    return _page(request, "desk/twofactor.html", _setup_context(device, CodeForm(), next_url), 400)


@require_POST
@desk_view
def twofactor_disable(request):
    services.twofactor_disable(actor=request.user, user=request.user, request=request)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("desk:twofactor")
