"""Fixtures of the email channel tests: a real SMTP server on loopback, ingest helpers."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

CORPUS = Path(__file__).resolve().parent / "email_corpus"
SUPPORT = "support@acme.example"


def free_port() -> int:
    # aiosmtpd's Controller needs a concrete port: ask the kernel for a free one first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Received:
    """What arrived at the SMTP server: envelope and the parsed message."""

    def __init__(self, mail_from: str, rcpt_tos: list[str], data: bytes):
        self.mail_from = mail_from
        self.rcpt_tos = rcpt_tos
        self.data = data
        self.message = message_from_bytes(data, policy=policy.default)

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content().replace("\r\n", "\n")

    def __getitem__(self, header: str) -> str | None:
        value = self.message[header]
        return None if value is None else str(value).strip()


class SmtpCollector:
    def __init__(self):
        self.received: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


@pytest.fixture(scope="session")
def smtp_server():
    collector = SmtpCollector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, port
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Django sends through a real SMTP server on loopback; returns what arrived."""
    collector, port = smtp_server
    collector.received.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return collector


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def support_address(tenant):
    """Tenant A answers at support@acme.example, the corpus' address."""
    previous = tenant.support_email
    tenant.support_email = SUPPORT
    tenant.save(update_fields=["support_email"])
    yield SUPPORT
    # The row is rolled back with the test; the session's Tenant object must be reset too.
    tenant.support_email = previous


@pytest.fixture
def ingest(tenant, run_on_commit):
    """ingest(raw_bytes_or_corpus_name) -> InboundEmail, after-commit work (mails) included."""
    from tickets.email.ingest import inbound_receive

    def run(raw, **kwargs):
        if isinstance(raw, str):
            raw = (CORPUS / raw).read_bytes()
        with run_on_commit():
            return inbound_receive(raw=raw, source=kwargs.pop("source", "test"), **kwargs)

    return run
