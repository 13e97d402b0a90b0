"""Admin of the email channel: inbound mail (failures, held mail, retry), outbound log,
bounces, templates and IMAP mailboxes."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.email.imap import mailbox_set_password
from tickets.email.ingest import inbound_process
from tickets.email.rendering import PLACEHOLDERS
from tickets.models import (
    BouncedAddress,
    EmailTemplate,
    ImapMailbox,
    InboundEmail,
    InboundStatus,
    OutboundEmail,
    OutboundStatus,
)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "status",
        "outcome",
        "sender",
        "subject",
        "ticket",
        "source",
        "attempts",
    ]
    list_filter = ["status", "outcome", "source"]
    search_fields = ["sender", "subject", "message_id"]
    list_select_related = ["ticket"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    actions = ["retry", "release"]
    fields = [
        "status",
        "outcome",
        "reason",
        "error",
        "raw_link",
        "source",
        "envelope_recipient",
        "sender",
        "subject",
        "message_id",
        "auto_submitted_reason",
        "sender_is_new",
        "defects",
        "ticket",
        "ticket_message",
        "attempts",
        "received_at",
        "processed_at",
        "raw_size",
        "raw_sha256",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw", "html")

    def has_add_permission(self, request):
        return False

    @admin.display(description="Original message")
    def raw_link(self, obj):
        url = reverse("admin:tickets_inboundemail_raw", args=[obj.pk])
        return format_html('<a href="{}">Download .eml ({} bytes)</a>', url, obj.raw_size)

    def get_urls(self):
        custom = [
            path(
                "<uuid:pk>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="tickets_inboundemail_raw",
            )
        ]
        return custom + super().get_urls()

    def raw_view(self, request, pk):
        """The original bytes, as a download only (never rendered on our origin)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        inbound = get_object_or_404(InboundEmail, pk=pk)
        response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        return response

    @admin.action(description=_("Retry processing (failed or unprocessed mail)"))
    def retry(self, request, queryset):
        done = 0
        for inbound in queryset.filter(
            status__in=[InboundStatus.FAILED, InboundStatus.RECEIVED]
        ).order_by("received_at"):
            inbound = inbound_process(inbound=inbound)
            done += inbound.status != InboundStatus.FAILED
        self.message_user(
            request,
            ngettext("%(count)s mail processed.", "%(count)s mails processed.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Release held mail (process despite the rate limit)"))
    def release(self, request, queryset):
        done = 0
        for inbound in queryset.filter(status=InboundStatus.HELD).order_by("received_at"):
            inbound = inbound_process(inbound=inbound, release=True)
            done += inbound.status == InboundStatus.PROCESSED
        self.message_user(
            request,
            ngettext("%(count)s held mail processed.", "%(count)s held mails processed.", done)
            % {"count": done},
            messages.SUCCESS,
        )


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to_email", "subject", "status", "ticket", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "message_id"]
    list_select_related = ["ticket"]
    show_full_result_count = False
    readonly_fields = [
        "kind",
        "ticket",
        "ticket_message",
        "recipient",
        "to_email",
        "subject",
        "message_id",
        "in_reply_to",
        "references",
        "reply_token",
        "dedup_key",
        "status",
        "error",
        "attempts",
        "created_at",
        "sent_at",
    ]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Resend failed mails"))
    def resend(self, request, queryset):
        from tickets.email.notifications import spec_for_retry
        from tickets.email.outbound import outbound_send

        sent = 0
        for row in queryset.filter(status=OutboundStatus.FAILED).select_related(
            "ticket", "recipient", "ticket_message"
        ):
            spec = spec_for_retry(row) if row.ticket and row.recipient else None
            sent += bool(spec and outbound_send(spec).sent)
        self.message_user(
            request,
            ngettext("%(count)s mail sent.", "%(count)s mails sent.", sent) % {"count": sent},
            messages.SUCCESS,
        )


@admin.register(BouncedAddress)
class BouncedAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "suppressed", "bounce_count", "last_bounced_at", "last_reason"]
    list_filter = ["suppressed"]
    search_fields = ["email"]
    readonly_fields = ["bounce_count", "last_bounced_at", "last_reason", "created_at"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "language", "subject", "is_active", "updated_at"]
    list_filter = ["is_active", "language"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["body_text"].help_text = "Placeholders: " + ", ".join(
            f"{{{{ {name} }}}}" for name in sorted(PLACEHOLDERS)
        )
        return form


class ImapMailboxForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Stored encrypted. Leave empty to keep the current password."),
    )

    class Meta:
        model = ImapMailbox
        fields = ["name", "host", "port", "use_ssl", "username", "folder", "is_active", "last_uid"]


@admin.register(ImapMailbox)
class ImapMailboxAdmin(admin.ModelAdmin):
    form = ImapMailboxForm
    list_display = [
        "name",
        "host",
        "username",
        "folder",
        "is_active",
        "last_polled_at",
        "last_error",
    ]
    readonly_fields = ["uidvalidity", "last_polled_at", "last_error"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("password"):
            mailbox_set_password(mailbox=obj, password=form.cleaned_data["password"])
