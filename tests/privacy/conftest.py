"""People sharing a ticket, with messages, files, mail and a rating: what exports and erasures
work on."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from panel1.accounts.models import User
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory
from tickets.models import Ticket
from tickets.services import ticket_cc_add

ALICE_EMAIL = "alice.unique-person@customer-one.test"
ALICE_NAME = "Alicia Quintessa"
ALICE_SECRET = "alice-private-sentence-9912"
BOB_EMAIL = "bob.other@customer-two.test"
BOB_NAME = "Roberto Bystander"
BOB_SECRET = "bob-own-sentence-4471"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Shared:
    admin: User
    agent: User
    alice: User
    bob: User
    ticket: Ticket


def upload(name: str, marker: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG + marker, content_type="image/png")


def _forget_media_root():
    # django-tenants' storage caches MEDIA_ROOT/<tenant> and does not drop it when MEDIA_ROOT
    # changes (its setting_changed hook only watches MULTITENANT_RELATIVE_MEDIA_ROOT).
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Files of this test only, so scanning the media folder finds only what it made."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _forget_media_root()
    yield
    _forget_media_root()


@pytest.fixture
def shared(tenant, api_client) -> Shared:
    """Alice's ticket with Bob on CC; both write (with files), an agent answers."""
    admin = AdminFactory(email="privacy-admin@helpdesk.test")
    agent = AgentFactory(email="agent.privacy@helpdesk.test", name="Agent Smith")
    alice = CustomerFactory(email=ALICE_EMAIL, name=ALICE_NAME)
    bob = CustomerFactory(email=BOB_EMAIL, name=BOB_NAME)
    ticket = TicketFactory(requester=alice, subject="Printer broken", content=ALICE_SECRET)
    ticket_cc_add(ticket=ticket, actor=agent, user=bob)
    url = f"/api/v1/tickets/{ticket.pk}/messages/"
    api_client(alice).post(
        url,
        {"content": f"{ALICE_SECRET} again", "attachments": [upload("alice.png", b"ALICEFILE")]},
        format="multipart",
    )
    api_client(bob).post(
        url,
        {"content": BOB_SECRET, "attachments": [upload("bob.png", b"BOBFILE")]},
        format="multipart",
    )
    api_client(agent).post(url, {"content": "We are on it.", "message_type": "STAFF_REPLY"})
    return Shared(admin=admin, agent=agent, alice=alice, bob=bob, ticket=ticket)


def zip_members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    return b"".join(response.streaming_content)
