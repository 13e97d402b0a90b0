"""Erasure also rewrites what other people wrote about the person on the tickets they took
part in (an agent greeting them by name, a colleague quoting their address)."""

from __future__ import annotations

from panel1.privacy.pseudonyms import pseudonym_email, pseudonym_name
from tests.factories import TicketFactory
from tests.privacy.conftest import ALICE_EMAIL, ALICE_NAME, BOB_SECRET
from tests.privacy.test_erasure import erase, tenant_text_hits
from tickets.models import Message, Ticket
from tickets.services import message_add

ALICE_FIRST = ALICE_NAME.split()[0]


def test_others_words_about_the_person_are_pseudonymised(shared, api_client, tenant):
    message_add(
        ticket=shared.ticket,
        actor=shared.agent,
        content=f"Hello {ALICE_NAME}, we wrote to {ALICE_EMAIL.upper()} as well.",
    )
    message_add(
        ticket=shared.ticket,
        actor=shared.bob,
        content=f"{BOB_SECRET}: I sit next to {ALICE_NAME}; not {ALICE_NAME}son or X{ALICE_NAME}.",
    )
    Ticket.objects.filter(pk=shared.ticket.pk).update(subject=f"Printer of {ALICE_NAME}")
    elsewhere = TicketFactory(requester=shared.bob, subject="Bob's own")
    message_add(ticket=elsewhere, actor=shared.bob, content=f"Unrelated: {ALICE_FIRST} helped.")

    assert erase(api_client(shared.admin), ALICE_EMAIL).status_code == 202

    alias, address = pseudonym_name(shared.alice.pk), pseudonym_email(shared.alice.pk)
    greeting = Message.objects.get(content__contains="we wrote to")
    assert greeting.content == f"Hello {alias}, we wrote to {address} as well."
    bobs = Message.objects.get(content__contains="I sit next to")
    # Whole words only: longer words that merely contain the name are left as they are.
    assert bobs.content == (
        f"{BOB_SECRET}: I sit next to {alias}; not {ALICE_NAME}son or X{ALICE_NAME}."
    )
    # Only the tickets she took part in: Bob's other ticket keeps his words.
    assert Message.objects.filter(ticket=elsewhere, content__contains=ALICE_FIRST).exists()
    hits = tenant_text_hits(tenant.schema_name, [ALICE_EMAIL, f"Printer of {ALICE_NAME}"])
    assert hits == []
