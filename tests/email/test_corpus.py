"""Every message of the corpus (tests/email/email_corpus/) through the ingest service.

Each row says what must happen: a new ticket (acknowledged or, for automated mail, not), a
reply on an existing ticket, an automatic reply noted on a ticket, a bounce, mail held for
review, or a new ticket for a stranger who quoted someone else's ticket number.
"""

from __future__ import annotations

import pytest
from django.core import mail

from tests.factories import CustomerFactory, TicketFactory
from tests.factories.email import OutboundEmailFactory
from tickets.email.parsing import parse_message
from tickets.models import BouncedAddress, InboundEmail, Message, MessageType, Ticket
from tickets.services.attachment_policy import attachment_blocked_reason, blocked_extensions

from .conftest import CORPUS

pytestmark = pytest.mark.django_db

NEW = "new ticket, acknowledged"
NEW_SILENT = "new ticket, automated mail: no acknowledgement"
REPLY = "reply on the existing ticket"
AUTO_NOTE = "automatic reply noted on the ticket"
BOUNCE = "bounce recorded, no ticket"
HELD = "held for review"
STRANGER = "new ticket: sender is not a participant of the quoted ticket"


def _existing(number: str, requester_email: str, *, first_message_id: str = "") -> Ticket:
    """A ticket the corpus mail refers to (numbers are set to the corpus' ones)."""
    ticket = TicketFactory(requester=CustomerFactory(email=requester_email))
    Ticket.objects.filter(pk=ticket.pk).update(number=number)
    if first_message_id:
        Message.objects.filter(ticket=ticket).update(email_message_id=first_message_id)
    ticket.refresh_from_db()
    return ticket


def _setup_19():
    ticket = _existing("SUP-2026-00000007", "paul.smith@corp.example")
    OutboundEmailFactory(ticket=ticket, message_id="ticket-7-reply-1@acme.example")
    return ticket


SETUP = {
    "19_outlook_reply_original_message.eml": _setup_19,
    "20_gmail_reply_on_wrote.eml": lambda: _existing(
        "SUP-2026-00000088", "quinn@gmail.example", first_message_id="ticket-88@acme.example"
    ),
    "22_out_of_office_auto_submitted.eml": lambda: _existing(
        "SUP-2026-00000099", "sam@customer.example"
    ),
    "31_ticket_number_subject.eml": lambda: _existing(
        "SUP-2026-00000042", "someone.else@customer.example"
    ),
    "40_html_gmail_reply.eml": lambda: _existing("SUP-2026-00000050", "tara@gmail.example"),
}

EXPECTED = {
    "01_plain_simple.eml": NEW,
    "02_multipart_alternative.eml": NEW,
    "03_html_only.eml": NEW,
    "04_quoted_printable.eml": NEW,
    "05_base64_text.eml": NEW,
    "06_iso_8859_1.eml": NEW,
    "07_iso_2022_jp.eml": NEW,
    "08_rfc2047_utf8_headers.eml": NEW,
    "09_windows_1252.eml": NEW,
    "10_forwarded_rfc822.eml": NEW,
    "11_attachments_pdf_png_txt.eml": NEW,
    "12_inline_image_cid.eml": NEW,
    "13_missing_message_id.eml": NEW,
    "14_missing_from.eml": HELD,
    "15_missing_date.eml": NEW,
    "16_malformed_bad_boundary.eml": NEW,
    "17_truncated_multipart.eml": NEW,
    "18_unknown_charset.eml": NEW,
    "19_outlook_reply_original_message.eml": REPLY,
    "20_gmail_reply_on_wrote.eml": REPLY,
    "21_signature_dash_dash.eml": NEW,
    "22_out_of_office_auto_submitted.eml": AUTO_NOTE,
    "23_precedence_bulk.eml": NEW_SILENT,
    "24_x_autoreply.eml": NEW_SILENT,
    "25_mailing_list_list_id.eml": NEW_SILENT,
    "26_null_return_path.eml": NEW_SILENT,
    "27_dsn_bounce_report.eml": BOUNCE,
    "28_mailer_daemon_bounce_plain.eml": BOUNCE,
    "29_literal_backslashes_templates.eml": NEW,
    "30_header_injection_subject.eml": NEW,
    "31_ticket_number_subject.eml": STRANGER,
    "32_plus_address_reply_token.eml": NEW,  # a token this tenant never issued
    "33_html_xss_payload.eml": NEW,
    "34_x_auto_response_suppress.eml": NEW_SILENT,
    "35_nested_too_deep.eml": NEW,
    "36_too_many_attachments.eml": NEW,
    "37_raw_utf8_headers.eml": NEW,
    "38_hostile_attachment_names.eml": NEW,
    "39_invalid_utf8_bytes.eml": NEW,
    "40_html_gmail_reply.eml": REPLY,
}


def test_every_corpus_message_has_an_expected_outcome():
    assert {path.name for path in CORPUS.glob("*.eml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_has_its_expected_outcome(name, tenant, ingest, support_address):
    raw = (CORPUS / name).read_bytes()
    parsed = parse_message(raw)
    existing = SETUP[name]() if name in SETUP else None
    mail.outbox.clear()

    inbound = ingest(name)

    expected = EXPECTED[name]
    assert bytes(inbound.raw) == raw  # the original is always kept
    assert inbound.status != "failed", inbound.error
    acks = [m for m in mail.outbox if _is_acknowledgement(m.subject)]
    if expected in (NEW, NEW_SILENT, STRANGER):
        _check_new_ticket(inbound, parsed, acknowledged=expected != NEW_SILENT, acks=acks)
    if expected == STRANGER:
        assert inbound.ticket != existing and existing in inbound.ticket.related.all()
        assert existing.messages.count() == 1
    if expected == REPLY:
        _check_reply(inbound, parsed, existing)
        assert mail.outbox == []
    if expected == AUTO_NOTE:
        assert (inbound.status, inbound.outcome, inbound.ticket) == (
            "processed",
            "auto_reply_recorded",
            existing,
        )
        note = inbound.ticket_message
        assert note.message_type == MessageType.SYSTEM and not note.is_public
        assert Ticket.objects.get(pk=existing.pk).status == existing.status
        assert mail.outbox == []
    if expected == BOUNCE:
        assert (inbound.status, inbound.ticket) == ("bounce", None)
        assert parsed.bounced_recipients
        assert set(BouncedAddress.objects.values_list("email", flat=True)) == set(
            parsed.bounced_recipients
        )
        assert mail.outbox == []
    if expected == HELD:
        assert (inbound.status, inbound.ticket) == ("held", None) and inbound.reason
        assert mail.outbox == []


def _is_acknowledgement(subject: str) -> bool:
    """The "Received: ..." mail, in whichever language it went out (a new sender gets the
    language detected for their ticket)."""
    from django.conf import settings
    from django.utils import translation

    def bare(text: str) -> str:  # subjects drop the space French puts before a colon
        return "".join(text.split())

    prefixes = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.add("]" + translation.gettext("Received: %(ticket_subject)s").split("%(")[0])
    return any(bare(prefix) in bare(subject) for prefix in prefixes)


def _check_new_ticket(inbound, parsed, *, acknowledged, acks):
    assert (inbound.status, inbound.outcome) == ("processed", "ticket_created")
    ticket = inbound.ticket
    first = ticket.messages.order_by("created_at").first()
    assert ticket.channel == "EMAIL" and ticket.requester.email == parsed.from_email
    assert first == inbound.ticket_message
    assert first.content == (parsed.text if parsed.text.strip() else first.content)
    if not parsed.text.strip():
        assert first.content.startswith("(This email had no text")
    assert first.email_message_id == (parsed.message_id or "")
    stored = len(first.attachments.all())
    blocked = blocked_extensions()  # the tenant's file-type policy keeps programs off tickets
    allowed = [
        item
        for item in parsed.attachments
        if not attachment_blocked_reason(item.filename, item.content, blocked=blocked)
    ]
    assert stored == len(allowed)
    if acknowledged:
        assert [m.to for m in acks] == [[parsed.from_email]]
    else:
        assert acks == []


def _check_reply(inbound, parsed, existing):
    assert (inbound.status, inbound.outcome, inbound.ticket) == (
        "processed",
        "reply_added",
        existing,
    )
    message = inbound.ticket_message
    assert message.message_type == MessageType.CUSTOMER_REPLY
    assert message.content == parsed.reply_text
    assert message.author == existing.requester


def test_the_corpus_twice_creates_nothing_twice(tenant, ingest, support_address):
    names = [n for n in sorted(EXPECTED) if n not in SETUP]
    for name in names:
        ingest(name)
    tickets = Ticket.objects.count()
    messages = Message.objects.count()

    again = [ingest(name) for name in names]

    assert {inbound.status for inbound in again} == {"duplicate"}
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)
    assert InboundEmail.objects.count() == 2 * len(names)


def test_content_of_a_new_ticket_is_byte_exact(tenant, ingest, support_address):
    inbound = ingest("29_literal_backslashes_templates.eml")

    content = inbound.ticket_message.content
    assert "C:\\Users\\new\\test and also in \\\\fileserver\\share\\tmp." in content
    assert "{{ ticket_number }} literally and {% if user.is_staff %}x{% endif %}." in content
    assert "^\\d+\\s*$ and a tab escape \\t." in content
    assert inbound.ticket.subject == "Installer path C:\\Users\\new\\test fails"


def test_html_only_mail_keeps_a_sanitized_html_body_and_a_text_rendering(
    tenant, ingest, support_address
):
    inbound = ingest("33_html_xss_payload.eml")

    assert "Hello agent" in inbound.ticket_message.content
    assert "<script" not in inbound.ticket_message.content.lower()
    assert "<p>Hello <b>agent</b></p>" in inbound.html
    assert "<script" not in inbound.html.lower() and "onerror" not in inbound.html.lower()


def test_mail_with_many_attachments_keeps_the_mail_and_notes_what_was_dropped(
    tenant, ingest, support_address
):
    inbound = ingest("36_too_many_attachments.eml")

    assert inbound.status == "processed"
    assert inbound.ticket_message.attachments.count() == 100
    [note] = inbound.ticket.messages.filter(message_type=MessageType.SYSTEM)
    assert "more than 100 attachments" in note.content and str(inbound.pk) in note.content
