"""After any merge, no customer sees another customer's message or address: not in the
portal, not in the API, not in mail.

Each scenario merges tickets of two customers (each with a CC of their own) in one of the
ways the desk and the API offer (one into the other, both directions, bulk, chained, by
API), then every customer reads everything they can reach and every mail sent afterwards
is checked for the other side's text and addresses. Only the agent's explicit
`make_public` choice shows one customer's replies to another, and even then no address.
"""

from __future__ import annotations

import pytest
from django.core import mail

from desk.services import tickets_merge
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tickets import services
from tickets.models import Message, MessageType


@pytest.fixture
def world(tenant, run_on_commit):
    """Two customers with their own CC and ticket, each carrying a secret and a file."""
    agent = AgentFactory(name="Alice Agent")
    sides = {}
    for key in ("carol", "dave"):
        requester = CustomerFactory(email=f"{key}@{key}-corp.example", name=f"{key.title()} Req")
        cc = CustomerFactory(email=f"{key}-cc@{key}-corp.example", name=f"{key.title()} Cc")
        with run_on_commit():
            ticket = TicketFactory(
                requester=requester, subject=f"{key} problem", content=f"SECRET-{key}-first"
            )
            services.ticket_cc_add(ticket=ticket, actor=agent, user=cc)
            services.message_add(
                ticket=ticket, actor=requester, content=f"SECRET-{key}-reply {requester.email}"
            )
            services.message_add(
                ticket=ticket,
                actor=agent,
                content=f"SECRET-{key}-staff",
                message_type=MessageType.STAFF_REPLY,
            )
        sides[key] = {"requester": requester, "cc": cc, "ticket": ticket}
    mail.outbox = []
    return agent, sides


def _foreign_markers(sides, key) -> list[str]:
    other = sides["dave" if key == "carol" else "carol"]
    name = "dave" if key == "carol" else "carol"
    return [
        f"SECRET-{name}-",
        other["requester"].email,
        other["cc"].email,
        other["requester"].name,
        other["cc"].name,
    ]


def _everything_seen(client, api, ticket_numbers) -> str:
    """What a customer can read: portal list + pages, API list, tickets and messages."""
    seen = [client.get("/tickets/?scope=all").content.decode()]
    listed = api.get("/api/v1/tickets/?limit=100").json()["results"]
    seen.append(str(listed))
    for number in {*ticket_numbers, *(t["number"] for t in listed)}:
        seen.append(client.get(f"/tickets/{number}/").content.decode())
        detail = api.get(f"/api/v1/tickets/{number}/")
        if detail.status_code == 200:
            seen.append(str(detail.json()))
            seen.append(str(api.get(f"/api/v1/tickets/{number}/messages/").json()))
    return "\n".join(seen)


def _merge(how, agent, sides, api_client, run_on_commit):
    carol, dave = sides["carol"]["ticket"], sides["dave"]["ticket"]
    with run_on_commit():
        if how == "carol_into_dave":
            services.ticket_merge(source=carol, target=dave, actor=agent)
        elif how == "dave_into_carol":
            services.ticket_merge(source=dave, target=carol, actor=agent)
        elif how == "bulk":
            tickets_merge(actor=agent, tickets=[carol, dave], target=dave)
        elif how == "chained":
            third = TicketFactory(requester=sides["dave"]["requester"], subject="third")
            services.ticket_merge(source=carol, target=dave, actor=agent)
            services.ticket_merge(source=dave, target=third, actor=agent)
            return third
    if how == "api":
        answer = api_client(agent).post(
            f"/api/v1/tickets/{carol.number}/merge/", {"target": dave.number}, format="json"
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["number"] == dave.number
    return dave if how != "dave_into_carol" else carol


@pytest.mark.parametrize("how", ["carol_into_dave", "dave_into_carol", "bulk", "chained", "api"])
def test_no_customer_sees_another_customers_message_or_address_after_a_merge(
    world, how, api_client, tenant_client, run_on_commit
):
    agent, sides = world
    survivor = _merge(how, agent, sides, api_client, run_on_commit)
    # Afterwards the conversation goes on: staff reply, a note, a customer reply.
    owner = survivor.requester
    with run_on_commit():
        services.message_add(ticket=survivor, actor=agent, content="Any news? staff-after")
        services.message_add(
            ticket=survivor, actor=agent, content="note-after", message_type="INTERNAL_NOTE"
        )
        services.message_add(ticket=survivor, actor=owner, content="customer-after")

    numbers = [s["ticket"].number for s in sides.values()] + [survivor.number]
    for key, side in sides.items():
        for person in (side["requester"], side["cc"]):
            seen = _everything_seen(tenant_client(person), api_client(person), numbers)
            for marker in _foreign_markers(sides, key):
                assert marker not in seen, f"{person.email} saw {marker!r} ({how})"
    assert mail.outbox, "the staff reply after the merge was mailed"
    for sent in mail.outbox:
        text = "\n".join([sent.subject, sent.body, *[str(a[0]) for a in sent.alternatives]])
        for address in sent.to + sent.cc + sent.bcc:
            key = "carol" if "carol" in address else "dave"
            for marker in _foreign_markers(sides, key):
                assert marker not in text, f"mail to {address} carried {marker!r} ({how})"
            assert not any(foreign in address for foreign in _foreign_markers(sides, key))


def test_merge_across_requesters_keeps_replies_as_notes_and_carries_no_cc(world, run_on_commit):
    agent, sides = world
    carol, dave = sides["carol"]["ticket"], sides["dave"]["ticket"]
    with run_on_commit():
        services.ticket_merge(source=carol, target=dave, actor=agent)
    moved = Message.objects.filter(moved_from=carol)
    assert set(moved.values_list("message_type", flat=True)) == {MessageType.INTERNAL_NOTE}
    assert moved.count() == 3
    assert set(dave.cc.all()) == {sides["dave"]["cc"]}


def test_make_public_is_the_agents_explicit_choice_and_still_carries_no_address(
    world, api_client, run_on_commit
):
    agent, sides = world
    carol, dave = sides["carol"]["ticket"], sides["dave"]["ticket"]
    with run_on_commit():
        services.ticket_merge(source=carol, target=dave, actor=agent, make_public=True)
    seen = str(api_client(sides["dave"]["requester"]).get(
        f"/api/v1/tickets/{dave.number}/messages/?limit=100"
    ).json())  # fmt: skip
    assert "SECRET-carol-first" in seen
    assert sides["carol"]["cc"].email not in seen
    assert set(dave.cc.all()) == {sides["dave"]["cc"]}


def test_same_requester_merge_moves_the_conversation_as_it_is(tenant, run_on_commit):
    agent = AgentFactory()
    customer = CustomerFactory()
    colleague = CustomerFactory()
    first = TicketFactory(requester=customer)
    second = TicketFactory(requester=customer)
    services.ticket_cc_add(ticket=first, actor=agent, user=colleague)
    with run_on_commit():
        services.ticket_merge(source=first, target=second, actor=agent)
    moved = Message.objects.filter(moved_from=first)
    assert set(moved.values_list("message_type", flat=True)) == {MessageType.CUSTOMER_REPLY}
    assert colleague in second.cc.all()


def test_merge_api_errors(world, api_client):
    agent, sides = world
    carol = sides["carol"]["ticket"]
    client = api_client(agent)
    assert client.post(f"/api/v1/tickets/{carol.number}/merge/", {}).status_code == 400
    bad = client.post(f"/api/v1/tickets/{carol.number}/merge/", {"target": "SUP-0-404"})
    assert bad.status_code == 400 and "target" in bad.json()
    same = client.post(f"/api/v1/tickets/{carol.number}/merge/", {"target": carol.number})
    assert same.status_code == 400
    customer = api_client(sides["carol"]["requester"])
    denied = customer.post(
        f"/api/v1/tickets/{carol.number}/merge/", {"target": sides["dave"]["ticket"].number}
    )
    assert denied.status_code == 403
