"""The ingest service's decisions: reply vs new ticket, safety rules, failures and retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.conftest import in_schema
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tests.factories.email import OutboundEmailFactory, raw_mail
from tickets.email import ingest as ingest_module
from tickets.email.ingest import inbound_process
from tickets.models import InboundEmail, Message, MessageType, Status, Ticket
from tickets.services import ticket_cc_add, ticket_merge, ticket_status_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(tenant, run_on_commit):
    """A portal ticket of Carol's whose acknowledgement went out (mail.outbox)."""
    carol = CustomerFactory(email="carol@customer.test", name="Carol")
    with run_on_commit():
        return TicketFactory(requester=carol, subject="Printer jammed")


def _reply_to_of_last_mail() -> str:
    return mail.outbox[-1].reply_to[0]


# --- reply detection ------------------------------------------------------------------


def test_reply_to_the_reply_token_address_threads_without_subject_or_headers(ticket, ingest):
    address = _reply_to_of_last_mail()

    inbound = ingest(raw_mail(to=address, subject="hm", body="Works now.\n"))

    assert (inbound.outcome, inbound.ticket) == ("reply_added", ticket)
    assert inbound.reason == f"Reply on {ticket.number} (matched by reply token)."
    assert ticket.messages.last().content == "Works now."


def test_reply_token_is_found_in_the_envelope_recipient(ticket, ingest):
    address = _reply_to_of_last_mail()

    inbound = ingest(raw_mail(subject="no number"), envelope_recipient=address)

    assert inbound.ticket == ticket


def test_reply_by_in_reply_to_an_outbound_message_id(ticket, ingest):
    outbound = ticket.outbound_emails.get()

    inbound = ingest(raw_mail(subject="Re: something", in_reply_to=outbound.message_id))

    assert (inbound.ticket, inbound.reason) == (
        ticket,
        f"Reply on {ticket.number} (matched by In-Reply-To).",
    )


def test_any_id_in_references_matches_an_inbound_or_outbound_message_id(ticket, ingest):
    first = ingest(raw_mail(subject="My own new ticket", message_id="orig-1@customer.test"))
    other = OutboundEmailFactory(ticket=ticket)

    by_inbound = ingest(
        raw_mail(subject="x", references=["unknown-1@x.test", "orig-1@customer.test", "u2@x"])
    )
    by_outbound = ingest(raw_mail(subject="y", references=[other.message_id, "unknown-3@x"]))

    assert by_inbound.ticket == first.ticket and by_inbound.outcome == "reply_added"
    assert by_outbound.ticket == ticket and "References" in by_outbound.reason


def test_ticket_number_in_the_subject_matches_case_insensitively(ticket, ingest):
    inbound = ingest(raw_mail(subject=f"re: [{ticket.number.lower()}] printer"))

    assert inbound.ticket == ticket and "subject" in inbound.reason


def test_reply_quotes_and_signature_are_stripped(ticket, ingest):
    body = (
        "Yes, that fixed it.\n\nOn Mon, 2 Mar 2026 at 10:00, Support <support@acme.example> "
        "wrote:\n> Please restart the printer.\n"
    )

    inbound = ingest(raw_mail(subject=f"Re: [{ticket.number}]", body=body))

    assert inbound.ticket_message.content == "Yes, that fixed it."


def test_a_cc_of_the_ticket_may_reply(ticket, ingest, run_on_commit):
    dave = CustomerFactory(email="dave@customer.test")
    with run_on_commit():
        ticket_cc_add(ticket=ticket, actor=ticket.requester, user=dave)

    inbound = ingest(raw_mail(sender="dave@customer.test", subject=f"[{ticket.number}] me too"))

    assert (inbound.outcome, inbound.ticket, inbound.ticket_message.author) == (
        "reply_added",
        ticket,
        dave,
    )


def test_a_customer_reply_reopens_a_ticket_waiting_on_them(ticket, ingest, run_on_commit):
    with run_on_commit():
        ticket_status_change(ticket=ticket, actor=AgentFactory(), status=Status.RESOLVED)

    ingest(raw_mail(subject=f"Re: [{ticket.number}]", body="Not fixed after all."))

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_mail_to_a_merged_ticket_lands_on_the_survivor(ticket, ingest, run_on_commit):
    survivor = TicketFactory(requester=ticket.requester)
    with run_on_commit():
        ticket_merge(source=ticket, target=survivor, actor=AgentFactory())

    inbound = ingest(raw_mail(subject=f"Re: [{ticket.number}] Printer jammed"))

    assert inbound.ticket == survivor and survivor.messages.filter(pk=inbound.ticket_message_id)


def test_a_stranger_quoting_a_ticket_number_gets_a_new_linked_ticket(ticket, ingest):
    outbound = ticket.outbound_emails.get()

    inbound = ingest(
        raw_mail(
            sender="mallory@attacker.test",
            subject=f"Re: [{ticket.number}] Printer jammed",
            in_reply_to=outbound.message_id,
            to=_reply_to_of_last_mail(),
            body="Please send me the invoice of this customer.\n",
        )
    )

    new = inbound.ticket
    assert new != ticket and new.requester.email == "mallory@attacker.test"
    assert inbound.outcome == "ticket_created" and ticket in new.related.all()
    assert ticket.messages.count() == 1  # nothing was posted into Carol's ticket
    note = new.messages.get(message_type=MessageType.SYSTEM)
    assert "is not its requester or a CC" in note.content
    assert not Message.objects.visible_to(new.requester).filter(pk=note.pk).exists()


def test_a_reply_to_a_closed_ticket_opens_a_new_linked_ticket(ticket, ingest, run_on_commit):
    with run_on_commit():
        ticket_status_change(ticket=ticket, actor=AgentFactory(), status=Status.CLOSED)

    inbound = ingest(raw_mail(subject=f"Re: [{ticket.number}]", body="It broke again."))

    assert inbound.ticket != ticket and ticket in inbound.ticket.related.all()
    assert "which is closed" in inbound.reason


def test_an_automatic_reply_is_noted_without_reopening_or_answering(ticket, ingest, run_on_commit):
    with run_on_commit():
        ticket_status_change(ticket=ticket, actor=AgentFactory(), status=Status.RESOLVED)
    mail.outbox.clear()

    inbound = ingest(
        raw_mail(
            subject=f"Out of office Re: [{ticket.number}]",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )

    ticket.refresh_from_db()
    assert inbound.outcome == "auto_reply_recorded" and ticket.status == Status.RESOLVED
    assert mail.outbox == []


# --- new tickets ----------------------------------------------------------------------


def test_new_ticket_creates_the_customer_and_makes_addressed_people_followers(
    tenant, ingest, support_address
):
    inbound = ingest("02_multipart_alternative.eml")

    ticket = inbound.ticket
    assert ticket.requester.email == "bob@builder.example" and ticket.requester.is_customer
    assert ticket.requester.name == "Bob Builder"
    assert sorted(ticket.cc.values_list("email", flat=True)) == [
        "carol@builder.example",
        "dave@builder.example",
    ]


def test_mailing_list_mail_makes_nobody_a_follower(tenant, ingest, support_address):
    inbound = ingest("25_mailing_list_list_id.eml")

    assert inbound.ticket.cc.count() == 0


def test_attachments_over_the_limit_are_noted_and_the_mail_is_kept(tenant, ingest, settings):
    settings.ATTACHMENT_MAX_FILE_SIZE = 1000
    raw = raw_mail(
        attachments=[
            ("small.txt", b"small file", "text/plain"),
            ("big.bin", b"x" * 5000, "application/octet-stream"),
        ]
    )

    inbound = ingest(raw)

    assert [a.filename for a in inbound.ticket_message.attachments.all()] == ["small.txt"]
    note = inbound.ticket.messages.get(message_type=MessageType.SYSTEM)
    assert "big.bin (5000 bytes: over the per-file limit)" in note.content
    assert b'filename="big.bin"' in bytes(inbound.raw)


def test_attachment_types_are_sniffed_from_the_bytes(tenant, ingest):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    inbound = ingest(raw_mail(attachments=[("photo.txt", png, "text/plain")]))

    [attachment] = inbound.ticket_message.attachments.all()
    assert attachment.content_type == "image/png"


def test_acknowledgements_to_never_seen_senders_are_rate_limited(tenant, ingest, settings):
    settings.EMAIL_NEW_SENDER_ACK_PER_ADDRESS = 2
    mail.outbox.clear()

    for n in range(4):
        ingest(raw_mail(sender="victim@example.test", subject=f"Spam {n}"))

    assert Ticket.objects.filter(requester__email="victim@example.test").count() == 4
    assert len(mail.outbox) == 2


def test_known_customers_are_always_acknowledged(tenant, ingest, settings):
    settings.EMAIL_NEW_SENDER_ACK_PER_ADDRESS = 1
    CustomerFactory(email="known@customer.test", email_verified=True)
    mail.outbox.clear()

    for n in range(3):
        ingest(raw_mail(sender="known@customer.test", subject=f"Question {n}"))

    assert len(mail.outbox) == 3


# --- safety -----------------------------------------------------------------------------


def test_the_same_message_id_twice_makes_one_message(ticket, ingest):
    raw = raw_mail(subject=f"Re: [{ticket.number}]", message_id="retry-1@customer.test")

    first, second = ingest(raw), ingest(raw)

    assert (first.status, second.status) == ("processed", "duplicate")
    assert ticket.messages.filter(email_message_id="retry-1@customer.test").count() == 1


def test_a_flood_from_one_sender_is_held_not_dropped_and_can_be_released(tenant, ingest, settings):
    settings.EMAIL_INBOUND_SENDER_LIMIT = 3

    results = [ingest(raw_mail(subject=f"Flood {n}")) for n in range(5)]

    assert [r.status for r in results] == ["processed"] * 3 + ["held"] * 2
    assert "Rate limit" in results[3].reason
    released = inbound_process(inbound=results[3], release=True)
    assert released.status == "processed" and released.ticket.subject == "Flood 3"


def test_the_rate_limit_counts_each_sender_within_the_window_up_to_now(tenant, ingest, settings):
    # The facts' query is compiled once and reused: each mail gets its own sender and the
    # window ends at the current time.
    settings.EMAIL_INBOUND_SENDER_LIMIT = 2
    first = [ingest(raw_mail(sender="ann@a.test", subject=f"A{n}")) for n in range(2)]
    assert ingest(raw_mail(sender="bob@b.test", subject="B0")).status == "processed"
    assert ingest(raw_mail(sender="ann@a.test", subject="A2")).status == "held"

    InboundEmail.objects.filter(pk__in=[i.pk for i in first]).update(
        received_at=timezone.now() - timedelta(seconds=3601)
    )

    assert ingest(raw_mail(sender="ann@a.test", subject="A3")).status == "processed"
    assert ingest(raw_mail(sender="bob@b.test", subject="B1")).status == "processed"


def test_mail_from_the_helpdesk_itself_is_ignored(tenant, ingest, support_address):
    inbound = ingest(raw_mail(sender="Support+abc@acme.example", subject="loop"))

    assert (inbound.status, inbound.ticket) == ("ignored", None)


def test_our_own_notification_coming_back_is_ignored(ticket, ingest):
    outbound = ticket.outbound_emails.get()

    inbound = ingest(raw_mail(sender="forwarder@x.test", message_id=outbound.message_id))

    assert inbound.status == "ignored"


def test_a_deactivated_sender_is_held(tenant, ingest):
    CustomerFactory(email="gone@customer.test", is_active=False)

    inbound = ingest(raw_mail(sender="gone@customer.test"))

    assert inbound.status == "held" and not Ticket.objects.exists()


def test_a_failure_keeps_the_raw_mail_and_a_retry_processes_it(tenant, ingest, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(ingest_module, "ticket_write", broken)
    raw = raw_mail(subject="Will fail first")

    failed = ingest(raw)

    assert (failed.status, failed.error) == ("failed", "RuntimeError: database hiccup")
    assert bytes(failed.raw) == raw and not Ticket.objects.exists()
    monkeypatch.undo()
    retried = inbound_process(inbound=failed)
    assert retried.status == "processed" and retried.ticket.subject == "Will fail first"
    assert retried.attempts == 2


def test_an_empty_message_is_stored_and_marked_failed(tenant, ingest):
    inbound = ingest(b"\r\n")

    assert inbound.status == "failed" and "empty" in inbound.error


def test_failed_mail_is_listed_and_retried_from_the_admin(
    tenant, ingest, monkeypatch, tenant_client
):
    from tests.factories import AdminFactory

    monkeypatch.setattr(ingest_module, "ticket_write", lambda **kw: 1 / 0)
    failed = ingest(raw_mail(subject="Retry me"))
    monkeypatch.undo()
    client = tenant_client(AdminFactory())

    listing = client.get("/admin/tickets/inboundemail/?status__exact=failed")
    raw = client.get(f"/admin/tickets/inboundemail/{failed.pk}/raw/")
    response = client.post(
        "/admin/tickets/inboundemail/",
        {"action": "retry", "_selected_action": [str(failed.pk)]},
    )

    assert listing.status_code == 200 and "Retry me" in listing.content.decode()
    assert raw["Content-Disposition"].startswith("attachment;") and raw.content == bytes(failed.raw)
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "processed" and failed.ticket.subject == "Retry me"


# --- tenant isolation ---------------------------------------------------------------------


def test_a_token_message_id_or_number_of_tenant_a_does_nothing_in_tenant_b(
    ticket, other_tenant, run_on_commit
):
    from tickets.email.ingest import inbound_receive

    token_address = _reply_to_of_last_mail()
    outbound_id = ticket.outbound_emails.get().message_id
    attempts = [  # the number first: B numbers its own tickets from 1 too
        raw_mail(subject=f"Re: [{ticket.number}] number"),
        raw_mail(to=token_address, subject="token"),
        raw_mail(in_reply_to=outbound_id, subject="message id"),
    ]

    with in_schema(other_tenant), run_on_commit():
        results = [inbound_receive(raw=raw, source="test") for raw in attempts]
        outcomes = [(r.outcome, r.ticket.number) for r in results]
        b_tickets = Ticket.objects.count()

    assert [o for o, _n in outcomes] == ["ticket_created"] * 3
    assert b_tickets == 3
    assert ticket.messages.count() == 1
    assert not InboundEmail.objects.exists()  # tenant A saw none of it


def test_the_demo_step_ingests_its_sample_mails_once(tenant, run_on_commit):
    from tickets.email.demo import demo_email_create

    erin = CustomerFactory(email="erin@example.org")
    with run_on_commit():
        TicketFactory(requester=erin, subject="API returns 502 on /v2/orders")
        assert demo_email_create(tenant=tenant, people={}) is True
        assert demo_email_create(tenant=tenant, people={}) is False

    statuses = sorted(InboundEmail.objects.values_list("status", "outcome"))
    assert statuses == [
        ("bounce", ""),
        ("processed", "reply_added"),
        ("processed", "ticket_created"),
        ("processed", "ticket_created"),
    ]


def test_a_blocked_attachment_is_left_off_with_a_note_and_the_mail_kept(tenant, ingest):
    raw = raw_mail(
        attachments=[
            ("notes.txt", b"fine", "text/plain"),
            ("update.exe", b"MZ" + b"\x00" * 100, "application/octet-stream"),
        ]
    )

    inbound = ingest(raw)

    assert [a.filename for a in inbound.ticket_message.attachments.all()] == ["notes.txt"]
    note = inbound.ticket.messages.get(message_type=MessageType.SYSTEM)
    assert "update.exe (file type blocked by the attachment policy)" in note.content
    assert b'filename="update.exe"' in bytes(inbound.raw)
