"""`manage.py ingest_email`: raw mail on stdin, routed to its tenant, or quarantined."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import in_schema
from tests.factories import CustomerFactory, TicketFactory
from tests.factories.email import raw_mail
from tickets.models import InboundEmail, Ticket

from .conftest import CORPUS

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipe(run_on_commit, tenant):
    """pipe(raw, **options) runs the command as an MTA would, with the raw mail on stdin."""

    def run(raw: bytes, **options):
        out, err = io.StringIO(), io.StringIO()
        try:
            with run_on_commit():
                call_command(
                    "ingest_email", stdin=io.BytesIO(raw), stdout=out, stderr=err, **options
                )
        finally:
            connection.set_tenant(tenant)
        return out.getvalue(), err.getvalue()

    return run


@pytest.fixture
def beta_address(other_tenant):
    type(other_tenant).objects.filter(pk=other_tenant.pk).update(support_email="help@beta.example")
    other_tenant.support_email = "help@beta.example"
    yield "help@beta.example"
    other_tenant.support_email = ""


def test_with_schema_the_mail_is_ingested_into_that_tenant(tenant, pipe):
    out, _err = pipe(raw_mail(subject="Piped in"), schema=tenant.schema_name)

    ticket = Ticket.objects.get()
    assert ticket.subject == "Piped in" and ticket.channel == "EMAIL"
    assert out.split()[:4] == [tenant.schema_name, "processed", "ticket_created", ticket.number]
    assert InboundEmail.objects.get().source == "pipe"


def test_without_schema_the_tenant_support_address_routes_the_mail(
    tenant, other_tenant, pipe, support_address, beta_address
):
    pipe(raw_mail(to="Beta Help <HELP@beta.example>", subject="For Beta"))
    pipe(raw_mail(to="support@acme.example", subject="For Alpha"))

    assert list(Ticket.objects.values_list("subject", flat=True)) == ["For Alpha"]
    with in_schema(other_tenant):
        assert list(Ticket.objects.values_list("subject", flat=True)) == ["For Beta"]


def test_the_envelope_recipient_routes_before_the_headers(
    tenant, other_tenant, pipe, support_address, beta_address
):
    pipe(
        raw_mail(to="support@acme.example", subject="Bcc'd to Beta"), recipient="help@beta.example"
    )

    assert not Ticket.objects.exists()
    with in_schema(other_tenant):
        assert InboundEmail.objects.get().envelope_recipient == "help@beta.example"


def test_a_reply_token_on_the_shared_platform_address_routes_to_its_tenant(
    tenant, other_tenant, pipe, run_on_commit
):
    with in_schema(other_tenant), run_on_commit():
        ticket = TicketFactory(requester=CustomerFactory(email="bea@customer.test"))
        number = ticket.number
    reply_to = mail.outbox[-1].reply_to[0]
    assert reply_to.startswith("support+") and reply_to.endswith("@panel1.localhost")

    pipe(raw_mail(sender="bea@customer.test", to=reply_to, subject="Re: thanks", body="Thanks!\n"))

    with in_schema(other_tenant):
        inbound = InboundEmail.objects.get()
        assert (inbound.outcome, inbound.ticket.number) == ("reply_added", number)


def test_a_tenant_domain_routes_the_mail(tenant, other_tenant, pipe):
    pipe(raw_mail(to="anything@beta.test.localhost", subject="By domain"))

    with in_schema(other_tenant):
        assert Ticket.objects.get().subject == "By domain"


def test_mail_no_tenant_claims_is_quarantined_and_the_command_fails(
    tenant, pipe, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    raw = raw_mail(to="nobody@unknown.example")

    with pytest.raises(CommandError) as failure:
        pipe(raw)

    assert failure.value.returncode == 67
    assert "1 message(s) matched no tenant" in str(failure.value)
    [kept] = list(Path(tmp_path, "quarantine").rglob("*.eml"))
    assert kept.read_bytes() == raw
    assert "nobody@unknown.example" in kept.with_suffix(".reason.txt").read_text()
    assert not Ticket.objects.exists()


def test_an_unknown_schema_is_a_clear_error(tenant, pipe):
    with pytest.raises(CommandError, match="No tenant with schema 'nope'"):
        pipe(raw_mail(), schema="nope")


def test_files_are_ingested_as_a_batch(tenant, run_on_commit, support_address):
    names = ["01_plain_simple.eml", "03_html_only.eml", "27_dsn_bounce_report.eml"]
    out = io.StringIO()

    with run_on_commit():
        call_command("ingest_email", *[str(CORPUS / n) for n in names], stdout=out)
    connection.set_tenant(tenant)

    assert [line.split()[1] for line in out.getvalue().splitlines()] == [
        "processed",
        "processed",
        "bounce",
    ]


def test_a_batch_of_files_sets_the_tenant_once(tenant, run_on_commit, tmp_path, monkeypatch):
    from tickets.management.commands import ingest_email

    entered: list[str] = []
    original = ingest_email.tenant_context

    def counting(tenant_row):
        entered.append(tenant_row.schema_name)
        return original(tenant_row)

    monkeypatch.setattr(ingest_email, "tenant_context", counting)
    files = []
    for index in range(3):
        path = tmp_path / f"{index}.eml"
        path.write_bytes(raw_mail(subject=f"Batch {index}"))
        files.append(str(path))
    out = io.StringIO()
    try:
        with run_on_commit():
            call_command("ingest_email", *files, schema=tenant.schema_name, stdout=out)
    finally:
        connection.set_tenant(tenant)

    assert entered == [tenant.schema_name]  # once for the batch, not per mail
    assert len(out.getvalue().splitlines()) == 3
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Batch 0",
        "Batch 1",
        "Batch 2",
    ]


def _ingest_files(tenant, run_on_commit, files, **options) -> list[list[str]]:
    out = io.StringIO()
    try:
        with run_on_commit():
            call_command("ingest_email", *files, stdout=out, stderr=io.StringIO(), **options)
    finally:
        connection.set_tenant(tenant)
    return [line.split()[1:3] for line in out.getvalue().splitlines()]


BATCH = [
    "01_plain_simple.eml",
    "14_missing_from.eml",
    "01_plain_simple.eml",  # the same bytes again: a redelivery
    "16_malformed_bad_boundary.eml",
    "27_dsn_bounce_report.eml",
    "11_attachments_pdf_png_txt.eml",
]


def test_a_batch_for_a_schema_stores_its_mails_together_then_decides_each(
    tenant, run_on_commit, support_address
):
    """With --schema, a group of files is stored in one transaction before any is decided;
    every mail ends as it does when it arrives alone (redelivery, broken MIME, bounce)."""
    from django.test.utils import CaptureQueriesContext

    files = [str(CORPUS / name) for name in BATCH]
    with CaptureQueriesContext(connection) as batch:
        together = _ingest_files(tenant, run_on_commit, files, schema=tenant.schema_name)
    stores = [i for i, q in enumerate(batch.captured_queries) if "tickets_inboundemail" in q["sql"]]
    first_ticket = next(
        i for i, q in enumerate(batch.captured_queries) if 'INTO "tickets_ticket"' in q["sql"]
    )
    stored_before = [i for i in stores if i < first_ticket]
    assert len(stored_before) >= len(BATCH)  # every mail's row before the first decision
    InboundEmail.objects.all().delete()
    Ticket.objects.all().delete()

    alone = [_ingest_files(tenant, run_on_commit, [name])[0] for name in files]

    assert together == alone
    assert [status for status, _outcome in together].count("duplicate") == 1
    assert InboundEmail.objects.count() == len(BATCH)


def test_a_group_that_cannot_be_stored_together_goes_one_by_one(
    tenant, run_on_commit, support_address, monkeypatch
):
    from tickets.email import ingest

    original, calls = ingest.inbound_store, []

    def failing_once(**kwargs):
        calls.append(1)
        if len(calls) == 2:  # the group's second mail, once: the group is stored by no one
            raise RuntimeError("disk full")
        return original(**kwargs)

    monkeypatch.setattr(ingest, "inbound_store", failing_once)
    files = [str(CORPUS / name) for name in BATCH[:3]]
    answers = _ingest_files(tenant, run_on_commit, files, schema=tenant.schema_name)

    assert [status for status, _outcome in answers] == ["processed", "held", "duplicate"]
    assert InboundEmail.objects.count() == 3  # the failed group kept nothing twice


def test_an_unreadable_file_in_a_batch_is_named_and_nothing_is_ingested(
    tenant, run_on_commit, tmp_path
):
    good = tmp_path / "good.eml"
    good.write_bytes(raw_mail(subject="Kept for later"))
    missing = tmp_path / "missing.eml"
    with pytest.raises(CommandError, match="nothing was ingested") as raised:
        _ingest_files(tenant, run_on_commit, [str(good), str(missing), str(tmp_path)])

    assert raised.value.returncode == 66
    assert str(missing) in str(raised.value) and str(good) not in str(raised.value)
    assert str(tmp_path) in str(raised.value)  # a directory is not a message either
    assert not InboundEmail.objects.exists()
