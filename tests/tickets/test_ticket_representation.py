"""The ticket's hand-built representation is DRF's generic one, field for field.

`TicketSerializer.to_representation` builds the answer by hand (it runs for every ticket of
every answer and list); these tests compare it with what DRF's field machinery makes of the
same declared fields, over tickets that exercise every branch, read the way the API reads
them and as services hand them over.
"""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from sla.models import TicketSLA
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    TicketFactory,
)
from tickets import services
from tickets.api.reads import api_ticket_queryset, api_ticket_shape, with_cc
from tickets.api.serializers import MessageSerializer, TicketSerializer
from tickets.models import Message, Status, Ticket
from tickets.satisfaction import satisfaction_answer
from tickets.selectors import messages_for


def _both(ticket: Ticket, user) -> tuple[dict, dict]:
    request = RequestFactory().get("/")
    request.user = user
    serializer = TicketSerializer(context={"request": request})
    generic = serializers.ModelSerializer.to_representation(serializer, ticket)
    return TicketSerializer(ticket, context={"request": request}).data, generic


@pytest.fixture
def tickets(tenant):
    agent = AgentFactory(name="Ann Agent")
    customer = CustomerFactory(name="Carl")
    plain = TicketFactory(requester=customer, tags=[])
    full = TicketFactory(requester=customer, category=CategoryFactory(), tags=["vip", "é"])
    services.ticket_assign(ticket=full, actor=agent, assignee=agent)
    full.cc.add(CustomerFactory(email="cc@customer.test", name=""))
    services.message_add(ticket=full, actor=agent, content="Fixed.")
    full = services.ticket_status_change(ticket=full, actor=agent, status=Status.RESOLVED)
    satisfaction_answer(ticket=full, actor=customer, response_time=5, solution=4, team=3)
    no_sla = TicketFactory(requester=customer)
    TicketSLA.objects.filter(ticket=no_sla).delete()
    source = TicketFactory(requester=customer)
    services.ticket_merge(source=source, target=plain, actor=agent)
    return agent, customer


@pytest.mark.parametrize("who", ["agent", "customer"])
def test_api_reads_are_represented_as_drf_would(tickets, who):
    agent, customer = tickets
    user = agent if who == "agent" else customer
    rows = with_cc(list(api_ticket_queryset(user)))
    assert len(rows) == 4
    for ticket in rows:
        fast, generic = _both(ticket, user)
        assert fast == generic
        assert list(fast) == list(generic)  # the same keys in the same order
    merged = [t for t in rows if t.merged_into_id]
    assert merged and _both(merged[0], user)[0]["merged_into"] == merged[0].merged_into_id


def test_a_ticket_as_a_service_returns_it_is_represented_as_drf_would(tickets):
    agent, customer = tickets
    ticket = services.ticket_create(
        actor=agent, requester=customer, subject="Fresh", content="From memory", tags=["a"]
    )
    fast, generic = _both(ticket, agent)
    assert fast == generic
    assert fast["status"] == "OPEN" and type(fast["status"]) is str


def test_timestamps_are_written_as_drf_writes_them_in_any_active_zone(tickets):
    agent, customer = tickets
    ticket = services.ticket_create(actor=agent, requester=customer, subject="Zones", content="x")
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=ticket.created_at.replace(microsecond=0)  # %f still writes six digits
    )
    for zone in ("UTC", "America/New_York", "Asia/Kathmandu"):
        with timezone.override(zone):
            row = with_cc(list(api_ticket_queryset(agent).filter(pk=ticket.pk)))[0]
            fast, generic = _both(row, agent)
            assert fast == generic
            assert fast["created_at"].endswith(".000000Z")


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kathmandu"])
def test_the_plain_list_reads_rows_represented_as_the_tickets_are(tickets, api_client, zone):
    """The plain list (`?status=`, limit/offset) reads dicts, not tickets: each row's answer is
    the ticket's, with and without SLA state, CCs, rating, merge, assignee and tags."""
    agent, _customer = tickets
    admin = AdminFactory()
    TicketSLA.objects.filter(ticket__in=Ticket.objects.filter(tags=["vip", "é"])).update(
        first_response_breached=True, paused=True
    )
    request = RequestFactory().get("/")
    for user in (agent, admin):
        request.user = user
        with timezone.override(zone):
            answer = api_client(user).get("/api/v1/tickets/?limit=50")
            assert answer.status_code == 200
            listed = answer.json()["results"]
            expected = [
                TicketSerializer(ticket, context={"request": request}).data
                for ticket in with_cc(
                    list(api_ticket_queryset(user).order_by("-created_at", "-pk"))
                )
            ]
        rendered = json.loads(JSONRenderer().render(expected))
        assert len(listed) == 4
        assert [row["id"] for row in listed] == [ticket["id"] for ticket in rendered]
        for row, ticket in zip(listed, rendered, strict=True):
            assert list(row) == list(ticket)  # the same keys in the same order
            assert {k: v for k, v in row.items() if v != ticket[k]} == {}
        assert [list(row) for row in listed] == [list(row) for row in rendered]
    full = next(row for row in listed if row["tags"])
    assert full["cc"] and full["assignee"] and full["satisfaction_score"] is not None
    assert full["sla"]["first_response_breached"] is True and full["sla"]["paused"] is True
    assert any(row["sla"]["profile"] is None for row in listed)
    assert any(row["merged_into"] for row in listed)
    # A filtered plain list takes the same row path.
    answer = api_client(admin).get("/api/v1/tickets/?status=RESOLVED&priority=LOW&priority=HIGH")
    assert [row["id"] for row in answer.json()["results"]] == [
        row["id"]
        for row in listed
        if row["status"] == "RESOLVED" and row["priority"] in ("LOW", "HIGH")
    ]


def _both_messages(message, user) -> tuple[dict, dict]:
    request = RequestFactory().get("/")
    request.user = user
    serializer = MessageSerializer(context={"request": request})
    generic = serializers.ModelSerializer.to_representation(serializer, message)
    if not user.is_helpdesk_staff:
        generic.pop("time_spent", None)
    return MessageSerializer(message, context={"request": request}).data, generic


@pytest.mark.parametrize("who", ["agent", "customer"])
def test_messages_are_represented_as_drf_would(tickets, who):
    agent, customer = tickets
    ticket = services.ticket_create(
        actor=customer, requester=customer, subject="Files", content="See attached"
    )
    services.message_add(
        ticket=ticket,
        actor=customer,
        content="Two files",
        attachments=services.attachments_prepare(
            [
                services.AttachmentInput(filename="a.txt", content=b"first"),
                services.AttachmentInput(filename="b.txt", content=b"second"),
            ]
        ),
    )
    services.message_add(ticket=ticket, actor=agent, content="Done.", time_spent=7)
    Message.objects.create(ticket=ticket, author=None, message_type="SYSTEM", content="Auto")
    user = agent if who == "agent" else customer
    messages = list(messages_for(user, ticket))
    assert len(messages) == (4 if who == "agent" else 3)
    for message in messages:
        fast, generic = _both_messages(message, user)
        assert fast == generic
        assert list(fast) == list(generic)
    assert [len(_both_messages(m, user)[0]["attachments"]) for m in messages][1] == 2


def test_the_shared_read_shape_is_never_evaluated(tickets, api_client):
    agent, customer = tickets
    admin = AdminFactory()
    TicketFactory(requester=CustomerFactory())  # someone else's
    for user in (admin, agent, customer):
        assert list(api_ticket_queryset(user))
        assert api_client(user).get("/api/v1/tickets/").status_code == 200
    assert api_ticket_shape()._result_cache is None
    assert len(api_ticket_queryset(customer)) < len(api_ticket_queryset(admin))


def test_the_filter_form_is_built_once_per_language(tenant):
    from django.http import QueryDict
    from django.utils import translation

    from tickets.api.filters import TicketFilter

    def form_class():
        return TicketFilter(QueryDict("status=OPEN"), Ticket.objects.none()).get_form_class()

    with translation.override("en"):
        english = form_class()
        assert form_class() is english
    with translation.override("de"):
        assert form_class() is not english
