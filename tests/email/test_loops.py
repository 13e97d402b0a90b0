"""No mail loops: automation's auto-responses answer people, never robots (RFC 3834)."""

from __future__ import annotations

import pytest

from tests.factories.automation import RuleFactory, act
from tests.factories.email import raw_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def auto_response_rule(tenant):
    return RuleFactory(actions=[act("send_auto_response", template="acknowledgment")])


def test_a_person_gets_the_acknowledgement_and_the_auto_response(
    tenant, ingest, smtp, support_address, auto_response_rule
):
    inbound = ingest(raw_mail(sender="human@customer.test"))

    mails = smtp.to("human@customer.test")
    assert len(mails) == 2
    auto = [m for m in mails if m["Auto-Submitted"] == "auto-replied"]
    assert len(auto) == 1 and inbound.ticket.number in auto[0]["Subject"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<users.lists.example>"},
        {"Return-Path": "<>"},
    ],
)
def test_automated_mail_gets_neither_acknowledgement_nor_auto_response(
    tenant, ingest, smtp, support_address, auto_response_rule, headers
):
    inbound = ingest(raw_mail(sender="robot@vendor.test", headers=headers))

    assert inbound.outcome == "ticket_created" and inbound.auto_submitted_reason
    assert smtp.received == []
    # the rule still ran: the auto-response is on the ticket for staff to see
    assert inbound.ticket.messages.filter(is_auto_response=True).exists()


def test_two_helpdesks_answering_each_other_stop_after_one_round(
    tenant, ingest, smtp, support_address, auto_response_rule
):
    first = ingest(raw_mail(sender="other-helpdesk@vendor.test", subject="Hello"))
    [ack, auto] = sorted(smtp.received, key=lambda m: m["Auto-Submitted"])
    smtp.received.clear()

    # The other helpdesk auto-answers our auto-response: it carries Auto-Submitted.
    reply = ingest(
        raw_mail(
            sender="other-helpdesk@vendor.test",
            subject=auto["Subject"],
            in_reply_to=auto["Message-ID"].strip("<>"),
            headers={"Auto-Submitted": "auto-replied"},
        )
    )

    assert reply.outcome == "auto_reply_recorded" and reply.ticket == first.ticket
    assert smtp.received == []
