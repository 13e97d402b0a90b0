"""Malware scanning against a REAL clamd (Debian's clamav-daemon), end to end.

The test starts a private clamd on a Unix socket in a temporary folder, with an offline
signature database it builds with `sigtool`: an MD5 hash signature of the EICAR test file
(.hdb) and a body signature (.ndb) of a marker string, so nothing is downloaded (no
freshclam). Skipped when clamd or sigtool is not installed (`.ci/run` installs them).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from panel1 import jobs
from panel1.audit.models import AuditEntry
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tests.factories.email import raw_mail
from tickets.models import Attachment, MessageType, ScanStatus
from tickets.scan_jobs import attachments_rescan, rescan_due
from tickets.scanning import ClamdScanner

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MARKER = b"panel1-malware-marker-7731"
CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
SIGTOOL = shutil.which("sigtool")

pytestmark = pytest.mark.skipif(
    not (CLAMD and SIGTOOL), reason="clamd/sigtool not installed (apt-get install clamav-daemon)"
)


def _signatures(folder: Path) -> None:
    """An offline database: EICAR by hash (sigtool --md5), the marker by body signature."""
    sample = folder / "eicar.com"
    sample.write_bytes(EICAR)
    md5 = subprocess.run(
        [SIGTOOL, "--md5", str(sample)], check=True, capture_output=True, text=True
    ).stdout.strip()
    digest, size, _name = md5.split(":", 2)
    (folder / "db" / "panel1-test.hdb").write_text(f"{digest}:{size}:Eicar-Test-Signature\n")
    hexed = (
        subprocess.run([SIGTOOL, "--hex-dump"], input=MARKER, check=True, capture_output=True)
        .stdout.decode()
        .strip()
    )
    (folder / "db" / "panel1-test.ndb").write_text(f"Panel1.Test.Marker:0:*:{hexed}\n")
    sample.unlink()


def _answers(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def real_clamd(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    _signatures(folder)
    sock = folder / "clamd.sock"
    conf = folder / "clamd.conf"
    conf.write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {folder / 'db'}\nForeground yes\n"
        f"LogFile {folder / 'clamd.log'}\nTemporaryDirectory {folder}\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not _answers(str(sock)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {log[-2000:]}")
        time.sleep(0.2)
    yield str(sock)
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def clamav(settings, real_clamd):
    settings.ATTACHMENT_SCANNER = "clamav"
    settings.CLAMD_SOCKET = real_clamd
    settings.CLAMD_TIMEOUT = 10
    return real_clamd


def post_file(api_client, user, ticket, name, content):
    return api_client(user).post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"content": "see file", "attachments": [SimpleUploadedFile(name, content)]},
        format="multipart",
    )


def test_the_real_clamd_gives_verdicts_over_instream(clamav):
    scanner = ClamdScanner(socket_path=clamav)
    assert scanner.scan(b"an ordinary invoice").clean
    assert scanner.scan(EICAR).signature.startswith("Eicar-Test-Signature")
    big = b"a" * (300 * 1024) + MARKER + b"b" * 1000  # several INSTREAM chunks
    verdict = scanner.scan(big)
    assert not verdict.clean and verdict.signature.startswith("Panel1.Test.Marker")


def test_uploads_are_refused_or_stored_by_the_real_scanner(clamav, tenant, api_client):
    customer = CustomerFactory()
    ticket = TicketFactory(requester=customer)

    eicar = post_file(api_client, customer, ticket, "invoice.txt", EICAR)
    marked = post_file(api_client, customer, ticket, "report.pdf", b"%PDF-1.4 " + MARKER)
    clean = post_file(api_client, customer, ticket, "notes.txt", b"just text")

    assert eicar.status_code == 422 and "invoice.txt" in str(eicar.json())
    assert "Eicar-Test-Signature" in str(eicar.json())
    assert marked.status_code == 422 and "Panel1.Test.Marker" in str(marked.json())
    assert clean.status_code == 201
    (stored,) = clean.json()["attachments"]
    assert stored["scan_status"] == "clean"
    download = api_client(customer).get(stored["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"just text"
    assert Attachment.objects.get().scanned_at is not None


def test_an_infected_mail_attachment_is_quarantined_by_the_real_scanner(clamav, ingest):
    inbound = ingest(
        raw_mail(
            sender="mallory@customer.test",
            attachments=[
                ("evil.txt", EICAR, "application/octet-stream"),
                ("ok.txt", b"fine", "text/plain"),
            ],
        )
    )
    assert inbound.status == "processed"
    files = Attachment.objects.filter(message__ticket=inbound.ticket)
    assert [(a.filename, a.scan_status) for a in files] == [("ok.txt", "clean")]
    note = inbound.ticket.messages.get(message_type=MessageType.SYSTEM).content
    # clamd marks signatures from a local database ".UNOFFICIAL".
    assert "evil.txt (quarantined: malware Eicar-Test-Signature" in note


def test_scanner_down_holds_files_pending_and_the_rescan_job_settles_them(
    clamav, settings, tenant, api_client, tenant_client
):
    customer = CustomerFactory(email_verified=True)
    agent = AgentFactory()
    ticket = TicketFactory(requester=customer)
    settings.CLAMD_SOCKET = str(Path(clamav).with_name("down.sock"))  # clamd "down"

    clean = post_file(api_client, customer, ticket, "notes.txt", b"harmless")
    infected = post_file(api_client, customer, ticket, "payload.txt", b"xx" + MARKER)
    assert clean.status_code == infected.status_code == 201
    held = Attachment.objects.get(filename="payload.txt")
    assert held.scan_status == ScanStatus.PENDING
    assert rescan_due(None).exists()
    # Shown as pending, with no link, in the portal and the desk.
    portal = tenant_client(customer).get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-scan-status="pending">payload.txt' in portal
    assert f"/attachments/{held.pk}/" not in portal
    desk = tenant_client(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'data-scan-status="pending">notes.txt' in desk
    assert tenant_client(customer).get(f"/attachments/{held.pk}/").status_code == 404

    assert attachments_rescan() == {"clean": 0, "infected": 0, "pending": 2}  # still down
    settings.CLAMD_SOCKET = clamav  # clamd is back: the scheduled job settles both
    run = jobs.run_in_schema(tenant.schema_name, "tickets.scan_jobs.attachments_rescan_task")
    assert run == {"clean": 1, "infected": 1, "pending": 0}

    good = Attachment.objects.get(filename="notes.txt")
    assert good.scan_status == ScanStatus.CLEAN and good.scanned_at
    url = clean.json()["attachments"][0]["url"]
    assert api_client(customer).get(url).status_code == 200
    held.refresh_from_db()
    assert held.scan_status == ScanStatus.INFECTED
    assert held.scan_signature.startswith("Panel1.Test.Marker")
    assert not held.file and not rescan_due(None).exists()
    bad_url = infected.json()["attachments"][0]["url"]
    refused = api_client(agent).get(bad_url)
    assert refused.status_code == 409 and refused.json()["scan_status"] == "infected"
    note = ticket.messages.filter(message_type=MessageType.SYSTEM).last().content
    assert "payload.txt was quarantined" in note and "Panel1.Test.Marker" in note
    audit = AuditEntry.objects.get(action="attachment_quarantined")
    assert audit.target_id == str(held.pk) and audit.actor_label == "system"


def test_a_quarantined_file_is_deleted_from_storage(
    clamav, settings, tenant, api_client, run_on_commit
):
    customer = CustomerFactory()
    ticket = TicketFactory(requester=customer)
    settings.ATTACHMENT_SCAN_ASYNC = True
    settings.CLAMD_SOCKET = str(Path(clamav).with_name("down.sock"))
    post_file(api_client, customer, ticket, "later.txt", MARKER)
    held = Attachment.objects.get()
    name = held.file.name
    assert default_storage.exists(name)

    settings.CLAMD_SOCKET = clamav
    with run_on_commit():
        assert attachments_rescan(ids=[str(held.pk)])["infected"] == 1
    assert not default_storage.exists(name)


def test_asynchronous_scanning_stores_pending_and_scans_after_commit(
    clamav, settings, tenant, api_client
):
    customer = CustomerFactory()
    ticket = TicketFactory(requester=customer)
    settings.ATTACHMENT_SCAN_ASYNC = True

    answer = post_file(api_client, customer, ticket, "slow-scan.txt", b"hello")

    assert answer.status_code == 201
    assert answer.json()["attachments"][0]["scan_status"] == "pending"
    # The job queued after commit (synchronous in tests) already scanned it.
    assert Attachment.objects.get().scan_status == ScanStatus.CLEAN


def test_the_rescan_schedule_is_registered_per_tenant():
    (spec,) = [s for s in jobs.registered_schedules() if s.name == "tickets.attachment_rescan"]
    assert spec.per_tenant and spec.func == "tickets.scan_jobs.attachments_rescan_task"
    assert spec.due is rescan_due
