"""API tokens in the desk (/desk/tokens/): create (shown once), list, revoke. Staff see their
own tokens; admins see and revoke everyone's."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from desk.views.base import desk_view, flash_error, sidebar_context
from panel1.api import tokens
from panel1.exceptions import DomainError


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    read_only = forms.BooleanField(label=gettext_lazy("Read-only"), required=False)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days, empty = never)"),
        required=False,
        min_value=1,
        max_value=3650,
    )


@desk_view
def token_list(request):
    form = TokenForm(request.POST or None)
    created_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            _token, created_key = tokens.api_token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except DomainError as exc:
            flash_error(request, exc)
        form = TokenForm()
    context = {
        "form": form,
        "created_key": created_key,
        "tokens": tokens.api_token_list_for(request.user)[:200],
        "now": timezone.now(),
        **sidebar_context(request, counts=False, active="tokens"),
    }
    response = render(request, "desk/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@desk_view
def token_revoke(request, pk):
    token = get_object_or_404(tokens.api_token_list_for(request.user), pk=pk)
    try:
        tokens.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token was revoked."))
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("desk:tokens")
