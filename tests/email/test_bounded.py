"""Bounded inbound mail: size limit in every path, one raw copy, NUL-proof text, exact caps."""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.core.cache import cache, caches
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from tests.factories.email import raw_mail
from tickets.email import safety
from tickets.email.ingest import inbound_process, inbound_store
from tickets.email.storage import INLINE_RAW_BYTES
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db

LIMIT = 4000


@pytest.fixture
def small_limit(settings):
    settings.EMAIL_INBOUND_MAX_BYTES = LIMIT
    return LIMIT


def _big_mail() -> bytes:
    return raw_mail(subject="Huge", body="x" * 70 + "\n" * 1 + ("y" * 76 + "\n") * 200)


def test_an_oversized_mail_is_refused_and_kept_only_up_to_the_limit(tenant, ingest, small_limit):
    raw = _big_mail()
    inbound = ingest(raw)

    inbound.refresh_from_db()
    assert inbound.status == "failed" and "EMAIL_INBOUND_MAX_BYTES" in inbound.error
    assert inbound.raw_size == len(raw) and len(bytes(inbound.raw)) == LIMIT
    assert not Ticket.objects.exists()
    # a retry from the admin refuses it the same way, without parsing
    assert inbound_process(inbound=inbound).status == "failed"


def test_the_pipe_reads_no_more_than_the_limit_and_exits_with_a_data_error(
    tenant, run_on_commit, small_limit
):
    raw = _big_mail()
    err = io.StringIO()
    with pytest.raises(CommandError) as refused, run_on_commit():
        call_command(
            "ingest_email",
            schema=tenant.schema_name,
            stdin=io.BytesIO(raw),
            stdout=io.StringIO(),
            stderr=err,
        )
    connection.set_tenant(tenant)
    assert refused.value.returncode == 65
    assert "EMAIL_INBOUND_MAX_BYTES" in err.getvalue()
    inbound = InboundEmail.objects.get()
    assert inbound.raw_size == len(raw) and len(bytes(inbound.raw)) == LIMIT


def test_a_webhook_body_over_the_limit_is_413_before_parsing(
    tenant, tenant_client, settings, small_limit
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "esp-user:esp-secret"}
    response = tenant_client().post(
        "/mail/inbound/postmark/",
        '{"RawEmail": "' + "x" * (LIMIT * 2 + 2 * 1024 * 1024) + '"}',
        "application/json",
    )
    assert response.status_code == 413
    assert not InboundEmail.objects.exists()


def test_a_redelivered_mail_keeps_no_second_raw_copy(tenant, ingest):
    raw = raw_mail(subject="Twice")
    first = ingest(raw)
    second = ingest(raw)

    assert (first.status, second.status) == ("processed", "duplicate")
    second.refresh_from_db()
    assert bytes(second.raw) == b"" and second.raw_size == len(raw)
    assert Ticket.objects.count() == 1


def test_a_redelivery_after_an_interrupted_first_attempt_becomes_the_ticket(tenant, ingest):
    raw = raw_mail(subject="Interrupted")
    interrupted = inbound_store(raw=raw, source="test")  # stored, never processed

    retry = ingest(raw)

    retry.refresh_from_db()
    assert bytes(retry.raw) == b""  # the first row keeps the bytes
    assert retry.status == "processed" and retry.ticket.subject == "Interrupted"
    assert bytes(InboundEmail.objects.get(pk=interrupted.pk).raw) == raw


@pytest.mark.parametrize("body", ["short\n", "x" * (INLINE_RAW_BYTES + 10) + "\n"])
def test_a_stored_twin_is_named_alike_whether_found_with_the_insert_or_before_it(tenant, body):
    """A small mail's row is written by the statement that looks for its twin, a large
    one's after a look-up of its own: the same row, in memory as in the table."""
    raw = raw_mail(subject="Twin", body=body)
    first = inbound_store(raw=raw, source="test")
    second = inbound_store(raw=raw, source="test")

    stored = InboundEmail.objects.get(pk=second.pk)
    assert (
        second.reason
        == stored.reason
        == (f"Same bytes as {first.pk}, which keeps the raw message.")
    )
    assert second.dedup_key == stored.dedup_key == first.dedup_key
    assert bytes(second.raw) == bytes(stored.raw) == b""
    assert bytes(InboundEmail.objects.get(pk=first.pk).raw) == raw
    assert first.reason == "" and bytes(first.raw) == raw


def test_nul_bytes_in_an_unknown_charset_still_become_a_ticket(tenant, ingest):
    raw = (
        b"From: Carol <carol@customer.test>\r\nTo: support@acme.example\r\n"
        b"Subject: Nul\x00 inside\r\nMessage-ID: <nul-1@customer.test>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-unknown-42\r\n\r\n"
        b"Hello\x00 world \xff\xfe bytes\r\n"
    )
    inbound = ingest(raw)

    assert inbound.status == "processed", inbound.error
    message = inbound.ticket.messages.first()
    assert "\x00" not in message.content and "Hello world" in message.content
    assert "\ufffd" in message.content  # undecodable bytes became replacement characters
    assert inbound.ticket.subject == "Nul inside"


def test_the_acknowledgement_is_not_sent_when_auto_responses_are_off(
    tenant, ingest, smtp, support_address, settings
):
    settings.ENABLE_AUTO_RESPONSES = False
    inbound = ingest(raw_mail(sender="newbie@customer.test"))
    assert inbound.outcome == "ticket_created"
    assert smtp.to("newbie@customer.test") == []


@pytest.mark.slow
def test_the_new_sender_cap_is_exact_under_parallel_delivery(
    session_tenants, django_db_blocker, monkeypatch, settings
):
    """25 parallel deliveries from one new sender, against a cache whose incr is a read then
    a write (like the database cache): exactly EMAIL_NEW_SENDER_ACK_PER_ADDRESS pass."""
    settings.EMAIL_NEW_SENDER_ACK_PER_ADDRESS = 3
    settings.EMAIL_NEW_SENDER_ACK_LIMIT = 1000
    cache.clear()

    def racy_incr(self, key, delta=1, version=None):
        value = self.get(key, version=version)
        if value is None:
            raise ValueError(key)
        time.sleep(0.005)  # widen the window between read and write
        self.set(key, value + delta, version=version)
        return value + delta

    # On the class: each thread has its own cache object (sharing the local memory).
    monkeypatch.setattr(type(caches["default"]), "incr", racy_incr)
    schema = session_tenants[0].schema_name
    allowed: list[bool] = []
    barrier = threading.Barrier(25)

    def deliver():
        try:
            with django_db_blocker.unblock(), schema_context(schema):
                barrier.wait()
                allowed.append(safety.new_sender_ack_allowed("flood@customer.test"))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.clear()
    assert allowed.count(True) == 3 and len(allowed) == 25
