"""/mail/ on the tenant's host (mounted by tickets/urls.py)."""

from django.urls import path

from tickets.email import webhooks

app_name = "email"

urlpatterns = [
    path("inbound/mailgun/", webhooks.MailgunInbound.as_view(), name="inbound-mailgun"),
    path("inbound/postmark/", webhooks.PostmarkInbound.as_view(), name="inbound-postmark"),
    path("inbound/sendgrid/", webhooks.SendGridInbound.as_view(), name="inbound-sendgrid"),
    path("tracking/mailgun/", webhooks.MailgunTracking.as_view(), name="tracking-mailgun"),
    path("tracking/postmark/", webhooks.PostmarkTracking.as_view(), name="tracking-postmark"),
    path("tracking/sendgrid/", webhooks.SendGridTracking.as_view(), name="tracking-sendgrid"),
]
