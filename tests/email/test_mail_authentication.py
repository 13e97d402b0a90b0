"""Mail failing DMARC for a known customer's domain is held (trusted MTA verdicts only)."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory, TicketFactory
from tests.factories.email import raw_mail
from tickets.email.authentication import authentication_results
from tickets.email.ingest import inbound_process
from tickets.models import Message

pytestmark = pytest.mark.django_db

MTA = "mx.helpdesk.example"


def results(verdict: str, authserv: str = MTA) -> dict[str, str]:
    return {
        "Authentication-Results": (
            f"{authserv}; spf=pass smtp.mailfrom=customer.test; dkim=none; "
            f"dmarc={verdict} (p=reject) header.from=customer.test"
        )
    }


@pytest.fixture
def carols_ticket(tenant, run_on_commit, settings):
    settings.EMAIL_TRUSTED_AUTHSERV_ID = MTA
    carol = CustomerFactory(email="carol@customer.test", name="Carol")
    with run_on_commit():
        return TicketFactory(requester=carol, subject="Printer jammed")


def reply(ticket, verdict, **kwargs):
    return raw_mail(
        subject=f"Re: [{ticket.number}] Printer jammed",
        body="Please refund me to account 666.\n",
        headers=results(verdict, **kwargs),
    )


def test_dmarc_failure_for_a_known_customer_domain_is_held(carols_ticket, ingest):
    inbound = ingest(reply(carols_ticket, "fail"))

    assert inbound.status == "held" and "DMARC failed for customer.test" in inbound.reason
    assert not Message.objects.filter(content__contains="refund").exists()

    released = inbound_process(inbound=inbound, release=True)
    assert released.status == "processed"


def test_passing_or_untrusted_verdicts_are_processed(carols_ticket, ingest):
    assert ingest(reply(carols_ticket, "pass")).status == "processed"
    # A forged header naming another authserv-id is ignored.
    forged = ingest(
        raw_mail(subject=f"Re: [{carols_ticket.number}] x", headers=results("fail", "evil.test"))
    )
    assert forged.status == "processed"


def test_unknown_domains_and_an_unset_authserv_id_check_nothing(carols_ticket, ingest, settings):
    stranger = raw_mail(sender="new@elsewhere.test", headers=results("fail"))
    assert ingest(stranger).status == "processed"
    settings.EMAIL_TRUSTED_AUTHSERV_ID = ""
    assert ingest(reply(carols_ticket, "fail")).status == "processed"


def test_the_known_domain_is_matched_literally(tenant, ingest, settings):
    # "_" is a LIKE wildcard: custxomer.test is not the domain of cust_omer.test's customer.
    settings.EMAIL_TRUSTED_AUTHSERV_ID = MTA
    CustomerFactory(email="dan@cust_omer.test")

    assert ingest(raw_mail(sender="eve@custxomer.test", headers=results("fail"))).status == (
        "processed"
    )
    assert ingest(raw_mail(sender="eve@cust_omer.test", headers=results("fail"))).status == "held"


def test_parsing_the_header():
    assert authentication_results(results("fail")) is None  # no trusted id configured


def test_parsing_the_header_with_a_trusted_id(settings):
    settings.EMAIL_TRUSTED_AUTHSERV_ID = MTA
    assert authentication_results(results("fail")) == {
        "spf": "pass",
        "dkim": "none",
        "dmarc": "fail",
    }
    assert authentication_results({"Authentication-Results": ";;;"}) is None
    assert authentication_results({}) is None
