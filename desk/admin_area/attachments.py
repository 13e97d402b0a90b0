"""The attachment policy (admins): which file types nobody may upload, in any channel."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from panel1.exceptions import DomainError
from tickets.models.policy import DEFAULT_BLOCKED_EXTENSIONS
from tickets.services.attachment_policy import attachment_policy_get, attachment_policy_update


class AttachmentPolicyForm(forms.Form):
    blocked_extensions = forms.CharField(
        label=gettext_lazy("Blocked file types"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "File name extensions, separated by spaces or commas (exe, bat, js ...). "
            "Empty: every type is accepted."
        ),
    )
    restore_defaults = forms.BooleanField(
        required=False, label=gettext_lazy("Restore the default list")
    )


@admin_view("attachments")
def attachment_policy(request):
    policy = attachment_policy_get()
    initial = {"blocked_extensions": " ".join(policy.blocked_extensions)}
    form = AttachmentPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["blocked_extensions"]
        if form.cleaned_data["restore_defaults"]:
            wanted = list(DEFAULT_BLOCKED_EXTENSIONS)
        try:
            attachment_policy_update(actor=request.user, blocked_extensions=wanted)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Attachment policy saved."))
            return redirect("desk:admin-attachments")
    context = {
        "form": form,
        "policy": policy,
        "defaults": DEFAULT_BLOCKED_EXTENSIONS,
        "max_file_size": settings.ATTACHMENT_MAX_FILE_SIZE,
        "max_message_size": settings.ATTACHMENT_MAX_MESSAGE_SIZE,
    }
    return admin_render(
        request, "desk/admin/attachments.html", context, status=400 if form.errors else 200
    )
