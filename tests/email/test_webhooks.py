"""ESP inbound webhooks on the tenant's host: signatures checked, mail stored and ingested."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from tests.conftest import in_schema
from tests.factories.email import raw_mail
from tickets.models import BouncedAddress, InboundEmail, Ticket

pytestmark = pytest.mark.django_db

SIGNING_KEY = "mailgun-signing-key-123"
BASIC = "esp-user:esp-secret-456"


@pytest.fixture
def anymail_secrets(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": BASIC}


def _mailgun_payload(raw: bytes, *, key: str = SIGNING_KEY) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "body-mime": raw.decode(),
        "recipient": "support@alpha.test.localhost",
        "sender": "carol@customer.test",
        "timestamp": timestamp,
        "token": token,
        "signature": signature.hexdigest(),
    }


def _basic(credentials: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def test_mailgun_webhook_with_a_valid_signature_is_ingested(tenant, tenant_client, anymail_secrets):
    raw = raw_mail(subject="Via Mailgun", message_id="mg-1@customer.test")

    response = tenant_client().post(
        "/mail/inbound/mailgun/", _mailgun_payload(raw), **_basic(BASIC)
    )

    assert response.status_code == 200
    inbound = InboundEmail.objects.get()
    assert (inbound.source, inbound.status, inbound.message_id) == (
        "webhook:mailgun",
        "processed",
        "mg-1@customer.test",
    )
    assert inbound.envelope_recipient == "support@alpha.test.localhost"
    assert inbound.ticket.subject == "Via Mailgun" and inbound.ticket.channel == "EMAIL"


@pytest.mark.parametrize("wrong", ["signature", "timestamp", "key"])
def test_mailgun_webhook_with_a_bad_signature_is_refused_and_nothing_stored(
    tenant, tenant_client, anymail_secrets, wrong
):
    payload = _mailgun_payload(raw_mail(), key="other-key" if wrong == "key" else SIGNING_KEY)
    if wrong == "signature":
        payload["signature"] = "0" * 64
    if wrong == "timestamp":
        payload["timestamp"] = str(int(payload["timestamp"]) + 1)

    response = tenant_client().post("/mail/inbound/mailgun/", payload, **_basic(BASIC))

    assert response.status_code == 403
    assert not InboundEmail.objects.exists() and not Ticket.objects.exists()


def test_postmark_webhook_with_basic_auth_is_ingested(tenant, tenant_client, anymail_secrets):
    raw = raw_mail(subject="Via Postmark")
    body = {"RawEmail": raw.decode(), "OriginalRecipient": "support@alpha.test.localhost"}

    response = tenant_client().post(
        "/mail/inbound/postmark/", json.dumps(body), "application/json", **_basic(BASIC)
    )

    assert response.status_code == 200
    inbound = InboundEmail.objects.get()
    assert inbound.source == "webhook:postmark" and inbound.ticket.subject == "Via Postmark"


@pytest.mark.parametrize("credentials", [None, "esp-user:wrong", "other:esp-secret-456"])
def test_postmark_webhook_without_the_right_basic_auth_is_refused(
    tenant, tenant_client, anymail_secrets, credentials
):
    body = json.dumps({"RawEmail": raw_mail().decode()})
    auth = _basic(credentials) if credentials else {}

    response = tenant_client().post("/mail/inbound/postmark/", body, "application/json", **auth)

    assert response.status_code == 403 and not InboundEmail.objects.exists()


def test_sendgrid_raw_webhook_with_basic_auth_is_ingested(tenant, tenant_client, anymail_secrets):
    raw = raw_mail(subject="Via SendGrid")
    envelope = json.dumps({"from": "carol@customer.test", "to": ["support@alpha.test.localhost"]})

    with pytest.warns(Warning):  # anymail marks its SendGrid support as unofficial
        response = tenant_client().post(
            "/mail/inbound/sendgrid/",
            {"email": raw.decode(), "envelope": envelope},
            **_basic(BASIC),
        )

    assert response.status_code == 200
    inbound = InboundEmail.objects.get()
    assert inbound.source == "webhook:sendgrid" and inbound.ticket.subject == "Via SendGrid"
    assert inbound.envelope_recipient == "support@alpha.test.localhost"


def test_sendgrid_webhook_with_wrong_auth_is_refused(tenant, tenant_client, anymail_secrets):
    with pytest.warns(Warning):
        response = tenant_client().post(
            "/mail/inbound/sendgrid/", {"email": raw_mail().decode()}, **_basic("x:y")
        )

    assert response.status_code == 403 and not InboundEmail.objects.exists()


@pytest.mark.parametrize("esp", ["mailgun", "postmark", "sendgrid"])
def test_a_webhook_without_a_configured_secret_refuses_everyone(
    tenant, tenant_client, settings, esp
):
    settings.ANYMAIL = {}
    payload = _mailgun_payload(raw_mail())

    response = tenant_client().post(f"/mail/inbound/{esp}/", payload)

    assert response.status_code == 403 and not InboundEmail.objects.exists()


def test_an_unreadable_payload_with_valid_auth_is_a_400(tenant, tenant_client, anymail_secrets):
    response = tenant_client().post(
        "/mail/inbound/postmark/", "{not json", "application/json", **_basic(BASIC)
    )

    assert response.status_code == 400 and not InboundEmail.objects.exists()


def test_the_webhook_ingests_into_the_tenant_of_the_host(
    tenant, other_tenant, tenant_client, anymail_secrets
):
    raw = raw_mail(subject="For Beta")

    response = tenant_client(on=other_tenant).post(
        "/mail/inbound/postmark/",
        json.dumps({"RawEmail": raw.decode()}),
        "application/json",
        **_basic(BASIC),
    )

    assert response.status_code == 200
    with in_schema(tenant):  # the request left the connection on tenant B's schema
        assert not InboundEmail.objects.exists()
    with in_schema(other_tenant):
        assert InboundEmail.objects.get().ticket.subject == "For Beta"


def test_mailgun_signature_alone_suffices_when_no_basic_auth_is_configured(
    tenant, tenant_client, settings
):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}

    response = tenant_client().post("/mail/inbound/mailgun/", _mailgun_payload(raw_mail()))

    assert response.status_code == 200 and InboundEmail.objects.get().status == "processed"


def test_a_webhook_retry_of_the_same_mail_makes_one_ticket(tenant, tenant_client, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    raw = raw_mail(message_id="retry-webhook@customer.test")
    client = tenant_client()

    for _attempt in range(2):
        assert client.post("/mail/inbound/mailgun/", _mailgun_payload(raw)).status_code == 200

    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == ["duplicate", "processed"] and Ticket.objects.count() == 1


def test_postmark_bounce_tracking_suppresses_the_address(tenant, tenant_client, anymail_secrets):
    event = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "Email": "Gone@Customer.test",
        "BouncedAt": "2026-03-02T09:00:00Z",
        "Description": "The server was unable to deliver your message",
    }

    response = tenant_client().post(
        "/mail/tracking/postmark/", json.dumps(event), "application/json", **_basic(BASIC)
    )

    assert response.status_code == 200
    assert BouncedAddress.objects.get().email == "gone@customer.test"
