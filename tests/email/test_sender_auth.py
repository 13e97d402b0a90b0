"""SPF, DKIM and DMARC checked here (no trusted Authentication-Results header): real dkimpy
and pyspf against a resolver that answers from a dict (no network), keys made in the test."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.factories import CustomerFactory, TicketFactory
from tests.factories.email import raw_mail
from tickets.email.authentication import spoofed_known_customer
from tickets.email.sender_auth import (
    DnsTempError,
    dns_memo,
    organizational_domain,
    use_resolver,
    verify_sender,
)
from tickets.models import Message

GOOD_IP = "192.0.2.10"
ESP_IP = "198.51.100.7"
EVIL_IP = "203.0.113.66"


class FakeResolver:
    """DNS from a dict: {(name, type): [answers]}; names missing answer []."""

    def __init__(self, records: dict[tuple[str, str], list], *, broken: bool = False):
        self.records, self.broken, self.asked = records, broken, []

    def _get(self, name: str, qtype: str):
        self.asked.append((name, qtype))
        if self.broken:
            raise DnsTempError(f"{qtype} {name}: timed out")
        return list(self.records.get((name.lower().rstrip("."), qtype), []))

    def txt(self, name):
        return self._get(name, "TXT")

    def addresses(self, name, qtype):
        return self._get(name, qtype)

    def mx(self, name):
        return self._get(name, "MX")

    def ptr(self, name):
        return self._get(name, "PTR")


@pytest.fixture(scope="module")
def dkim_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public).decode()


def dns_for(dkim_public: str, *, policy: str = "reject", spf: str | None = None) -> FakeResolver:
    return FakeResolver(
        {
            ("customer.test", "TXT"): [spf or "v=spf1 ip4:192.0.2.0/28 include:_spf.esp.test -all"],
            ("_spf.esp.test", "TXT"): ["v=spf1 a:out.esp.test -all"],
            ("out.esp.test", "A"): [ESP_IP],
            ("_dmarc.customer.test", "TXT"): [f"v=DMARC1; p={policy}; rua=mailto:d@customer.test"],
            ("s1._domainkey.customer.test", "TXT"): [f"v=DKIM1; k=rsa; p={dkim_public}"],
        }
    )


def delivered(
    mail: bytes,
    *,
    client_ip: str,
    helo: str = "mail.customer.test",
    mail_from: str = "carol@customer.test",
) -> bytes:
    """What our MTA hands over: its Received header (the client) and the Return-Path."""
    received = (
        f"Received: from {helo} ({helo} [{client_ip}])\r\n"
        f"\tby mx.helpdesk.example with ESMTPS id 4Xyz; Sun, 6 Dec 2026 10:00:00 +0000\r\n"
    )
    return f"Return-Path: <{mail_from}>\r\n".encode() + received.encode() + mail


def signed(mail: bytes, private: bytes, domain: str = "customer.test") -> bytes:
    header = dkim.sign(
        mail,
        b"s1",
        domain.encode(),
        private,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return header + mail


@pytest.fixture
def carols_ticket(tenant, run_on_commit, settings):
    settings.EMAIL_VERIFY_SENDER = True
    settings.EMAIL_TRUSTED_AUTHSERV_ID = ""
    carol = CustomerFactory(email="carol@customer.test", name="Carol")
    with run_on_commit():
        return TicketFactory(requester=carol, subject="Printer jammed")


def reply(ticket, body="Please refund me to account 666.\n") -> bytes:
    return raw_mail(subject=f"Re: [{ticket.number}] Printer jammed", body=body)


def test_a_signed_reply_from_an_allowed_server_is_processed(carols_ticket, ingest, dkim_key):
    private, public = dkim_key
    resolver = dns_for(public)
    with use_resolver(resolver):
        inbound = ingest(delivered(signed(reply(carols_ticket), private), client_ip=GOOD_IP))

    assert inbound.status == "processed"
    assert Message.objects.filter(ticket=carols_ticket, content__contains="refund").exists()
    assert ("_dmarc.customer.test", "TXT") in resolver.asked


def test_a_spoofed_reply_is_held_with_the_verdicts(carols_ticket, ingest, dkim_key):
    _private, public = dkim_key
    with use_resolver(dns_for(public)):
        inbound = ingest(delivered(reply(carols_ticket), client_ip=EVIL_IP, helo="evil.test"))

    assert inbound.status == "held"
    assert "DMARC failed for customer.test" in inbound.reason
    assert "SPF fail, DKIM none, policy reject" in inbound.reason
    assert not Message.objects.filter(content__contains="refund").exists()


def test_a_forged_signature_or_tampered_body_fails_dkim_and_is_held(
    carols_ticket, ingest, dkim_key
):
    private, public = dkim_key
    tampered = signed(reply(carols_ticket), private).replace(b"account 666", b"account 999")
    with use_resolver(dns_for(public)):
        inbound = ingest(delivered(tampered, client_ip=EVIL_IP))
    assert inbound.status == "held" and "DKIM fail" in inbound.reason

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    forged = signed(reply(carols_ticket, body="Another try.\n"), other)
    with use_resolver(dns_for(public)):
        assert ingest(delivered(forged, client_ip=EVIL_IP)).status == "held"


def test_spf_alone_passes_dmarc_through_include_and_a(carols_ticket, ingest, dkim_key):
    _private, public = dkim_key
    with use_resolver(dns_for(public)):
        inbound = ingest(delivered(reply(carols_ticket), client_ip=ESP_IP, helo="out.esp.test"))
    assert inbound.status == "processed"


def test_dkim_alone_passes_dmarc_when_forwarding_breaks_spf(carols_ticket, dkim_key):
    private, public = dkim_key
    raw = delivered(signed(reply(carols_ticket), private), client_ip=EVIL_IP, helo="fwd.test")
    with use_resolver(dns_for(public)):
        verdict = verify_sender(raw, from_email="carol@customer.test")
    assert (verdict.spf, verdict.dkim, verdict.dmarc) == ("fail", "pass", "pass")
    assert verdict.dkim_domains == ["customer.test"]


def test_a_policy_of_none_or_a_dns_outage_never_holds(carols_ticket, ingest, dkim_key):
    _private, public = dkim_key
    with use_resolver(dns_for(public, policy="none")):
        assert ingest(delivered(reply(carols_ticket), client_ip=EVIL_IP)).status == "processed"
    broken = FakeResolver({}, broken=True)
    with use_resolver(broken):
        raw = delivered(reply(carols_ticket, body="Second.\n"), client_ip=EVIL_IP)
        verdict = verify_sender(raw, from_email="carol@customer.test")
        inbound = ingest(raw)
    assert (verdict.spf, verdict.dmarc) == ("temperror", "temperror")
    assert inbound.status == "processed"


def test_mail_from_unknown_domains_costs_no_lookup(carols_ticket, dkim_key):
    resolver = dns_for(dkim_key[1])
    with use_resolver(resolver):
        assert spoofed_known_customer({}, "stranger@nowhere.test", inbound=object()) is None
    assert resolver.asked == []


def test_a_trusted_mta_header_wins_over_our_own_checks(carols_ticket, ingest, dkim_key, settings):
    settings.EMAIL_TRUSTED_AUTHSERV_ID = "mx.helpdesk.example"
    resolver = dns_for(dkim_key[1])
    header = {"Authentication-Results": "mx.helpdesk.example; spf=pass; dmarc=pass"}
    mail = raw_mail(subject=f"Re: [{carols_ticket.number}] x", headers=header)
    with use_resolver(resolver):
        assert ingest(delivered(mail, client_ip=EVIL_IP)).status == "processed"
    assert resolver.asked == []


def test_a_batch_asks_each_dns_question_once_and_keeps_no_outage(carols_ticket, dkim_key):
    resolver = dns_for(dkim_key[1])
    first = delivered(reply(carols_ticket), client_ip=EVIL_IP, helo="evil.test")
    second = delivered(reply(carols_ticket, body="Again.\n"), client_ip=EVIL_IP, helo="evil.test")
    with use_resolver(resolver):
        alone = verify_sender(first, from_email="carol@customer.test")
        asked_alone = len(resolver.asked)
        with dns_memo():
            batch = [verify_sender(r, from_email="carol@customer.test") for r in (first, second)]

    assert [v.as_dict() for v in batch] == [alone.as_dict()] * 2
    assert len(resolver.asked) == 2 * asked_alone  # the second mail asked nothing
    broken = FakeResolver({}, broken=True)
    with use_resolver(broken), dns_memo():
        for _ in range(2):
            assert verify_sender(first, from_email="carol@customer.test").dmarc == "temperror"
    assert broken.asked.count(("_dmarc.customer.test", "TXT")) == 2  # asked again


def test_organizational_domains():
    assert organizational_domain("mail.eu.customer.test") == "customer.test"
    assert organizational_domain("shop.example.co.uk") == "example.co.uk"
