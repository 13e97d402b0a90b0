"""IMAP polling against a real IMAP server: a private Dovecot started on loopback.

Needs Debian's dovecot-imapd (/usr/sbin/dovecot); skipped with a clear reason without it.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from panel1 import jobs
from tests.factories.email import raw_mail
from tickets.email.crypto import SecretUnreadable, decrypt_secret
from tickets.email.imap import imap_poll, mailbox_set_password
from tickets.models import ImapMailbox, InboundEmail, Ticket

from .conftest import free_port

pytestmark = pytest.mark.django_db

DOVECOT = Path("/usr/sbin/dovecot")
PASSWORD = "imap-secret-pass"


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        owner = pwd.getpwnam("nobody")  # Dovecot refuses to deliver as root
        users = ""
    else:
        owner = pwd.getpwuid(os.geteuid())
        users = f"default_internal_user = {owner.pw_name}\ndefault_login_user = {owner.pw_name}\n"
    return (
        f"""{users}
base_dir = {root}/run
state_dir = {root}/state
instance_name = panel1-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {owner.pw_uid}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""",
        owner,
    )


@pytest.fixture(scope="module")
def dovecot():
    """A private Dovecot on a free loopback port; any user name logs in with PASSWORD."""
    if not DOVECOT.exists():
        pytest.skip("dovecot-imapd is not installed (/usr/sbin/dovecot missing)")
    root = Path(tempfile.mkdtemp(prefix="panel1-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    port = free_port()
    config, owner = _config(root, port)
    (root / "dovecot.conf").write_text(config)
    os.chown(root / "mail", owner.pw_uid, owner.pw_gid)
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, process, root)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen, root: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            pytest.fail(f"dovecot exited: {process.stderr.read().decode()} {log}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("dovecot did not start listening within 15 s")


@pytest.fixture
def mailbox(dovecot, tenant):
    """A fresh IMAP account and its ImapMailbox row (password stored encrypted)."""
    user = f"helpdesk-{uuid.uuid4().hex[:8]}"
    box = ImapMailbox.objects.create(
        name="Support inbox", host="127.0.0.1", port=dovecot, use_ssl=False, username=user
    )
    mailbox_set_password(mailbox=box, password=PASSWORD)
    return box


def _deliver(box: ImapMailbox, *raws: bytes) -> None:
    """Put mail into the mailbox as a delivery agent would (IMAP APPEND)."""
    client = imaplib.IMAP4("127.0.0.1", box.port)
    client.login(box.username, PASSWORD)
    for raw in raws:
        client.append("INBOX", None, None, raw)
    client.logout()


def _seen_uids(box: ImapMailbox) -> list[int]:
    client = imaplib.IMAP4("127.0.0.1", box.port)
    client.login(box.username, PASSWORD)
    client.select("INBOX")
    _status, data = client.uid("SEARCH", None, "SEEN")
    client.logout()
    return [int(uid) for uid in data[0].split()]


def test_the_scheduled_poll_ingests_new_mail_once(mailbox, tenant, run_on_commit):
    _deliver(mailbox, raw_mail(subject="From IMAP 1"), raw_mail(subject="From IMAP 2"))

    with run_on_commit():
        jobs.fan_out("tickets.email.tasks.imap_poll_task")  # what the schedule runs
    connection.set_tenant(tenant)

    mailbox.refresh_from_db()
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "From IMAP 1",
        "From IMAP 2",
    ]
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {"imap"}
    assert (mailbox.last_uid, mailbox.last_error) == (2, "")
    assert mailbox.uidvalidity and mailbox.last_polled_at
    assert _seen_uids(mailbox) == [1, 2]

    assert imap_poll(mailbox=mailbox) == 0  # nothing new
    _deliver(mailbox, raw_mail(subject="From IMAP 3"))
    assert imap_poll(mailbox=mailbox) == 1
    assert Ticket.objects.count() == 3


def test_the_same_message_delivered_twice_makes_one_message(mailbox, tenant):
    raw = raw_mail(subject="Delivered twice", message_id="twice@customer.test")
    _deliver(mailbox, raw, raw)

    assert imap_poll(mailbox=mailbox) == 2

    assert sorted(InboundEmail.objects.values_list("status", flat=True)) == [
        "duplicate",
        "processed",
    ]
    assert Ticket.objects.count() == 1


def test_a_new_uidvalidity_starts_over_and_dedup_absorbs_the_repeat(mailbox, tenant):
    _deliver(mailbox, raw_mail(subject="Before reset", message_id="reset@customer.test"))
    imap_poll(mailbox=mailbox)
    ImapMailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=1)  # as if the box was rebuilt
    mailbox.refresh_from_db()

    imap_poll(mailbox=mailbox)

    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.filter(status="duplicate").count() == 1


def test_a_wrong_password_is_recorded_not_raised(mailbox, tenant):
    mailbox_set_password(mailbox=mailbox, password="wrong")
    _deliver(mailbox, raw_mail())

    assert imap_poll(mailbox=mailbox) == 0

    mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in mailbox.last_error or "failed" in mailbox.last_error
    assert not InboundEmail.objects.exists()


def test_the_password_is_encrypted_at_rest(mailbox, settings):
    stored = ImapMailbox.objects.values_list("password_encrypted", flat=True).get(pk=mailbox.pk)

    assert PASSWORD not in stored and decrypt_secret(stored) == PASSWORD
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    assert decrypt_secret(stored) == PASSWORD  # old key kept as a fallback
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretUnreadable):
        decrypt_secret(stored)


def test_imap_polling_is_a_per_tenant_schedule():
    spec = {s.name: s for s in jobs.registered_schedules()}["email.imap_poll"]

    assert (spec.func, spec.per_tenant) == ("tickets.email.tasks.imap_poll_task", True)
