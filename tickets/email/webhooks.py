"""Inbound ESP webhooks (Mailgun, Postmark, SendGrid) on the tenant's host: /mail/inbound/<esp>/.

anymail's views verify the request (Mailgun: HMAC-SHA256 of timestamp+token with
ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"]; Postmark and SendGrid: HTTP basic auth with
ANYMAIL["WEBHOOK_SECRET"]) and parse the payload into an AnymailInboundMessage. Unlike
anymail's defaults, a webhook whose secret is not configured refuses every request (403)
instead of accepting anyone's. The message is stored raw for the request's tenant and
processed by a task; the ESP gets 200 once it is stored.

Tracking webhooks (/mail/tracking/<esp>/) record bounces and complaints as suppressed
addresses.
"""

from __future__ import annotations

import logging

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.signals import EventType
from anymail.utils import get_anymail_setting
from anymail.webhooks.mailgun import MailgunInboundWebhookView, MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView, PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView, SendGridTrackingWebhookView
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden

from panel1 import jobs
from tickets.email import safety
from tickets.email.ingest import inbound_store

logger = logging.getLogger(__name__)
BOUNCE_EVENTS = {EventType.BOUNCED, EventType.COMPLAINED}


class _SecuredWebhookMixin:
    """Refuse requests when the ESP's webhook secret is not configured (403), when the
    signature or credentials are wrong (403), and bodies too large to hold a mail of
    EMAIL_INBOUND_MAX_BYTES (413, before anything is parsed)."""

    secret_setting = "webhook_secret"
    secret_esp_name: str | None = None
    bounded = False

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)

        def guarded(request, *args, **kwargs):
            if not cls._secret_configured():
                logger.warning("%s webhook called but its secret is not configured", cls.__name__)
                return HttpResponseForbidden("This webhook is not configured.")
            if cls.bounded and _content_length(request) > _max_body_bytes():
                logger.warning("%s webhook refused: body over the inbound limit", cls.__name__)
                return HttpResponse(
                    "The message is larger than this helpdesk accepts (EMAIL_INBOUND_MAX_BYTES).",
                    status=413,
                    content_type="text/plain",
                )
            try:
                return view(request, *args, **kwargs)
            except AnymailConfigurationError as exc:
                logger.warning("%s webhook misconfigured: %s", cls.__name__, exc)
                return HttpResponseForbidden("This webhook is not configured.")
            except AnymailWebhookValidationFailure:
                logger.warning("%s webhook: bad signature or credentials", cls.__name__)
                return HttpResponseForbidden("Bad webhook signature or credentials.")

        guarded.csrf_exempt = True
        return guarded

    @classmethod
    def _secret_configured(cls) -> bool:
        value = get_anymail_setting(
            cls.secret_setting, esp_name=cls.secret_esp_name, default=None, allow_bare=False
        )
        return bool(value)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _max_body_bytes() -> int:
    # Providers send the mail base64-encoded (JSON) or as a form field: allow for that.
    from tickets.email.ingest import inbound_max_bytes

    return inbound_max_bytes() * 4 // 3 + 1024 * 1024


def _parsed_events(view, request):
    """The ESP's events, or None for a payload that cannot be read (answered 400)."""
    try:
        return view.parse_events(request)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        logger.warning("%s webhook payload unreadable: %s", view.esp_name, exc)
        return None


class _InboundMixin(_SecuredWebhookMixin):
    esp_source = ""
    bounded = True

    def post(self, request, *args, **kwargs):
        self.run_validators(request)  # a bad signature or auth raises -> 403, nothing stored
        events = _parsed_events(self, request)
        if events is None:
            return HttpResponseBadRequest("Unreadable payload.")
        for event in events:
            message = event.message
            inbound = inbound_store(
                raw=message.as_bytes(),
                source=f"webhook:{self.esp_source}",
                envelope_recipient=message.envelope_recipient or "",
            )
            jobs.enqueue("tickets.email.tasks.inbound_process_task", str(inbound.pk))
        return HttpResponse()


class _TrackingMixin(_SecuredWebhookMixin):
    def post(self, request, *args, **kwargs):
        self.run_validators(request)
        events = _parsed_events(self, request)
        if events is None:
            return HttpResponseBadRequest("Unreadable payload.")
        for event in events:
            if event.event_type in BOUNCE_EVENTS and event.recipient:
                safety.bounce_record(
                    addresses=[event.recipient],
                    reason=f"{self.esp_name} {event.event_type}: {event.description or ''}",
                )
        return HttpResponse()


class MailgunInbound(_InboundMixin, MailgunInboundWebhookView):
    esp_source = "mailgun"
    secret_setting = "webhook_signing_key"
    secret_esp_name = "MAILGUN"


class PostmarkInbound(_InboundMixin, PostmarkInboundWebhookView):
    esp_source = "postmark"


class SendGridInbound(_InboundMixin, SendGridInboundWebhookView):
    esp_source = "sendgrid"


class MailgunTracking(_TrackingMixin, MailgunTrackingWebhookView):
    secret_setting = "webhook_signing_key"
    secret_esp_name = "MAILGUN"


class PostmarkTracking(_TrackingMixin, PostmarkTrackingWebhookView):
    pass


class SendGridTracking(_TrackingMixin, SendGridTrackingWebhookView):
    pass
