"""The redaction plugin: filter hooks mask sensitive data before messages (web, API, portal,
mail) and new-ticket subjects are stored; the masked count shows on the desk's ticket page and
in the plugin's API (`/api/v1/plugins/redaction/api/tickets/<id>/`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel1.plugins import ConditionField, Plugin, Slot
from panel1_redaction.detect import masks_in, redact
from panel1_redaction.mail import redact_raw_mail

MAX_PATTERNS = 20


class RedactionSettingsForm(forms.Form):
    cards = forms.BooleanField(
        required=False, initial=True, help_text=gettext_lazy("Mask card numbers")
    )
    ibans = forms.BooleanField(required=False, initial=True, help_text=gettext_lazy("Mask IBANs"))
    patterns = forms.JSONField(
        required=False,
        initial=list,
        help_text=gettext_lazy("Extra regular expressions to mask (a list, at most 20)"),
    )
    label = forms.CharField(required=False, max_length=30, initial="redacted")

    def clean_patterns(self):
        import regex

        patterns = self.cleaned_data.get("patterns") or []
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise forms.ValidationError(_("Give a list of regular expressions."))
        if len(patterns) > MAX_PATTERNS:
            raise forms.ValidationError(
                _("At most %(max_patterns)s patterns.") % {"max_patterns": MAX_PATTERNS}
            )
        for pattern in patterns:
            if not pattern or len(pattern) > 200:
                raise forms.ValidationError(_("Each pattern has 1 to 200 characters."))
            try:
                regex.compile(pattern)
            except regex.error as exc:
                raise forms.ValidationError(
                    _("%(pattern)s is not a valid pattern: %(exc)s")
                    % {"pattern": repr(pattern), "exc": exc}
                ) from exc
        return patterns

    def clean_label(self):
        return self.cleaned_data.get("label") or "redacted"


class RedactionPlugin(Plugin):
    name = "redaction"
    version = "1.0.0"
    description = (
        "Masks payment card numbers (Luhn-checked), IBANs and your own patterns in messages "
        "and mail before they are stored."
    )
    author = "Panel1 Helpdesk"
    core_versions = ">=0.1"
    permissions = ["tickets:read"]
    hooks = {
        "filter.message_content": "redact_message",
        "filter.ticket_data": "redact_ticket",
        "filter.inbound_mail_raw": "redact_raw_mail",
    }
    slots = {
        "desk.ticket.sidebar": Slot(
            template="panel1_redaction/_sidebar.html", context="sidebar", order=80
        )
    }
    settings_form = RedactionSettingsForm
    api_urls = "panel1_redaction.api"
    # Rules can act on it: "Sensitive values masked" is more than 0 -> tag "pii", notify, ...
    condition_fields = {
        "masked": ConditionField(
            method="masked_count",
            label=gettext_lazy("Sensitive values masked"),
            type="integer",
            description=gettext_lazy(
                "How many card numbers, IBANs and patterns were masked on the ticket"
            ),
        )
    }

    def _redact(self, ctx, text: str) -> tuple[str, int]:
        settings = ctx.settings
        return redact(
            text,
            cards=settings.get("cards", True),
            ibans=settings.get("ibans", True),
            patterns=settings.get("patterns") or [],
            label=settings.get("label") or "redacted",
        )

    def redact_message(self, ctx, content: str, meta: dict) -> str:
        content, count = self._redact(ctx, content)
        if meta.get("channel") == "EMAIL":
            # Mail was masked in its raw bytes already (`redact_raw_mail`): count its markers.
            count = max(count, masks_in(content, ctx.settings.get("label") or "redacted"))
        if count and meta.get("ticket_id"):
            ctx.data.incr(f"masked:{meta['ticket_id']}", count)
        return content

    def redact_raw_mail(self, ctx, data: bytes, meta: dict) -> bytes:
        """The inbound mail's bytes, masked before the helpdesk stores them (nothing to mask:
        the very same bytes)."""
        masked, _count = redact_raw_mail(data, lambda text: self._redact(ctx, text))
        return masked

    def redact_ticket(self, ctx, data: dict, meta: dict) -> dict:
        subject, count = self._redact(ctx, data.get("subject", ""))
        return {**data, "subject": subject} if count else data

    def masked_count(self, ctx, payload: dict) -> int:
        return int(ctx.data.get(f"masked:{payload['ticket_id']}", 0))

    def sidebar(self, ctx, request, ticket=None, **kwargs) -> dict:
        masked = ctx.data.get(f"masked:{ticket.pk}", 0) if ticket is not None else 0
        return {"masked": masked}
