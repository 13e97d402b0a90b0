"""Queries per inbound mail: the ingest service asks the database as little as it can.

The decision's questions (an earlier delivery, a message or notification with the same
Message-ID, the sender's rate limit, customers at the sender's domain, the sender's account,
known or not) are one query; the envelope is written with the decision, the ticket and its
messages in the decision's transaction without savepoints of their own; a mail threaded
by Message-ID costs one lookup over the three places Message-IDs are kept. The totals
include the ticket services and the after-commit subscribers (SLA, routing,
notifications), which have their own budgets; the numbers in the comments are measured
(inside the test transaction, so atomic blocks are savepoints, and with Q_SYNC, so the
notification tasks run inline).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panel1.accounts.models import User
from panel1.audit.models import AuditEntry
from tests.factories import CustomerFactory, TicketFactory
from tests.factories.email import raw_mail
from tickets.email.storage import INLINE_RAW_BYTES
from tickets.models import InboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(tenant):
    return CustomerFactory(email="carol@customer.test", name="Carol")


def _ingest_counted(ingest, raw, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        inbound = ingest(raw, **kwargs)
    return inbound, [q["sql"] for q in queries.captured_queries]


def _mail_queries(statements: list[str]) -> list[str]:
    """The statements on the mail's own row and lock, up to the written result (not the
    ticket's, nor the after-commit subscribers'); the result goes with the decision's other
    writes, in one statement."""
    end = next(i for i, sql in enumerate(statements) if 'UPDATE "tickets_inbound' in sql)
    return [
        sql for sql in statements[: end + 1] if '"tickets_inboundemail"' in sql or "advisory" in sql
    ]


def test_a_redelivered_mail_costs_a_handful_of_queries(tenant, carol, ingest):
    raw = raw_mail(subject="Printer")
    ingest(raw)

    duplicate, statements = _ingest_counted(ingest, raw)

    assert duplicate.status == "duplicate"
    # store (the insert that looks for the twin: the bytes stay with the first copy), the
    # bytes read back, lock, one query for all the checks, the result: 7 with the test's
    # savepoint pair (8 when the twin lookup was a statement of its own).
    assert len(statements) <= 7, statements


def test_a_new_ticket_from_a_known_sender(tenant, carol, ingest, django_assert_max_num_queries):
    ingest(raw_mail(subject="warm-up"))  # per-process caches (content types, plugins)

    # 58 measured (63-67 before the twin lookup, the profile, audit and CC rows joined other
    # statements; 84 before that): the acknowledgement mail is sent inline here (Q_SYNC), and
    # django-q's bookkeeping of jobs run inline varies by a few statements with its table
    with django_assert_max_num_queries(62):
        inbound = ingest(raw_mail(subject="Second printer"))

    assert inbound.outcome == "ticket_created"
    _inbound, statements = _ingest_counted(ingest, raw_mail(subject="Third printer"))
    # the insert with its twin lookup, lock, the checks with the sender's row, the result
    assert len(_mail_queries(statements)) <= 4, _mail_queries(statements)


def test_a_reply_by_in_reply_to(tenant, carol, ingest, django_assert_max_num_queries):
    ticket = TicketFactory(requester=carol, subject="Printer")
    first = ingest(raw_mail(subject="More details", message_id="first@customer.test"))
    assert first.ticket != ticket  # a new ticket: no reference to the old one

    with django_assert_max_num_queries(27):  # 25 measured (30 before, 46 before that)
        reply = ingest(raw_mail(subject="Re: More details", in_reply_to="first@customer.test"))

    assert (reply.outcome, reply.ticket) == ("reply_added", first.ticket)
    _inbound, statements = _ingest_counted(
        ingest, raw_mail(subject="Re: again", in_reply_to="first@customer.test")
    )
    threading = [sql for sql in statements if "UNION" in sql]
    assert len(threading) == 1  # outbound, messages and inbound mail asked at once


def test_the_result_on_the_row_in_memory_is_what_was_written(tenant, carol, ingest):
    inbound = ingest(raw_mail(subject="Check the row", message_id="row@customer.test"))

    stored = InboundEmail.objects.get(pk=inbound.pk)
    for field in ("status", "outcome", "reason", "message_id", "dedup_key", "sender", "subject"):
        assert getattr(inbound, field) == getattr(stored, field), field
    assert (inbound.ticket_id, inbound.ticket_message_id, inbound.sender_is_new) == (
        stored.ticket_id,
        stored.ticket_message_id,
        stored.sender_is_new,
    )
    assert stored.dedup_key == "mid:row@customer.test"


@pytest.fixture
def no_mail(settings):
    """Without notifications: what the ingest itself costs, with its after-commit dispatch."""
    settings.ENABLE_EMAIL_SENDING = False


def test_a_mail_from_a_new_sender(tenant, ingest, no_mail, django_assert_max_num_queries):
    ingest(raw_mail(sender="warm@customer.test", subject="warm-up"))

    # 26 measured (35-37 before the twin lookup, the customer's profile and audit rows and
    # the CC rows joined other statements): the mail, the new customer, the ticket, the
    # after-commit dispatch; here also the test transaction's savepoints and the jobs run
    # inline (Q_SYNC). benchmarks/email_ingest.py (real commits, jobs queued) counts fewer.
    with django_assert_max_num_queries(28):
        inbound = ingest(raw_mail(sender="new@customer.test", subject="Hello"))

    assert (inbound.outcome, inbound.sender_is_new) == ("ticket_created", True)
    sender = inbound.ticket.requester
    assert sender.customer_profile is not None  # written with the decision's batch
    assert AuditEntry.objects.filter(action="user_created", target_id=str(sender.pk)).exists()


def test_new_ccs_follow_with_their_profiles_written_in_the_batch(tenant, ingest, no_mail):
    mail = raw_mail(sender="lead@newco.test", cc="ann@newco.test, Bob@NewCo.test")

    inbound = ingest(mail)

    ticket = inbound.ticket
    followers = list(ticket.cc.all())
    assert {"ann@newco.test", "bob@newco.test"} <= {u.email for u in followers}
    for user in [ticket.requester, *followers]:
        assert user.customer_profile is not None


def test_known_ccs_are_looked_up_together(tenant, carol, ingest, no_mail):
    CustomerFactory(email="dan@customer.test")
    CustomerFactory(email="eve@customer.test")
    mail = raw_mail(cc="Dan@Customer.test, eve@customer.test", subject="For the team")

    inbound, statements = _ingest_counted(ingest, mail)

    followers = {u.email for u in inbound.ticket.cc.all()}
    assert {"dan@customer.test", "eve@customer.test"} <= followers
    user_reads = [s for s in statements if s.startswith("SELECT") and '"accounts_user"' in s]
    assert len(user_reads) == 2, user_reads  # the sender with the checks; the CCs at once


def test_a_reply_without_notifications(
    tenant, carol, ingest, no_mail, django_assert_max_num_queries
):
    first = ingest(raw_mail(subject="Printer", message_id="p1@customer.test"))

    # 16 measured (21 before the twin lookup joined the insert)
    with django_assert_max_num_queries(17):
        reply = ingest(raw_mail(subject="Re: Printer", in_reply_to="p1@customer.test"))

    assert (reply.outcome, reply.ticket) == ("reply_added", first.ticket)


def test_small_mail_is_stored_with_its_row_and_a_large_one_after_it(tenant, ingest):
    small = raw_mail(subject="Small", body="short\n")
    large = raw_mail(subject="Large", body="x" * (INLINE_RAW_BYTES + 10) + "\n")

    small_row, small_statements = _ingest_counted(ingest, small)
    large_row = ingest(large)

    stored = {row.pk: bytes(row.raw) for row in InboundEmail.objects.all()}
    assert stored[small_row.pk] == small
    assert stored[large_row.pk] == large
    writes = [s for s in small_statements if '"tickets_inboundemail"' in s and "raw" in s]
    assert len([s for s in writes if s.startswith("UPDATE")]) == 0


def test_the_spoofing_check_is_asked_with_the_decision_facts(tenant, carol, ingest, no_mail):
    _inbound, statements = _ingest_counted(ingest, raw_mail(subject="Domain check"))

    # "Ends with @customer.test" as "its reverse starts with...", the form an index serves.
    domain_checks = [s for s in statements if "REVERSE(UPPER('@customer.test'))" in s]
    assert len(domain_checks) == 1 and "earlier_id" in domain_checks[0], domain_checks


def test_the_customer_domain_check_can_read_an_index(tenant):
    """The check's address condition (`_customers_at`) is the index's expression; a tenant
    of a few users plans a scan of the role index for the whole check, so it is explained
    alone."""
    from django.db import connection
    from django.db.models import Value
    from django.db.models.functions import Reverse, Upper

    from panel1.accounts.models import REVERSED_EMAIL

    condition = (
        User.objects.annotate(reversed_email=REVERSED_EMAIL)
        .filter(reversed_email__startswith=Reverse(Upper(Value("@Customer.test"))))
        .values("pk")
    )
    sql, params = condition.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "accounts_user_email_rev_idx" in plan, plan


def test_a_new_sender_costs_the_same_lookups_as_a_known_one(tenant, carol, ingest, no_mail):
    _new, new_statements = _ingest_counted(ingest, raw_mail(sender="new@customer.test"))
    known, known_statements = _ingest_counted(
        ingest, raw_mail(sender="CAROL@Customer.test", subject="Caps")
    )

    # the insert with its twin lookup, lock, the checks joined with the sender's row, the
    # result
    assert len(_mail_queries(new_statements)) <= 4, _mail_queries(new_statements)
    assert len(_mail_queries(known_statements)) <= 4, _mail_queries(known_statements)
    assert known.ticket.requester == carol


def test_a_new_sender_is_created_without_a_savepoint(tenant, ingest, no_mail):
    _inbound, statements = _ingest_counted(
        ingest, raw_mail(sender="fresh@customer.test", subject="Hello")
    )
    user_insert = 'INSERT INTO "accounts_user"'
    inserts = [i for i, sql in enumerate(statements) if sql.startswith(user_insert)]
    assert inserts  # the sender (and the other addressee, a follower)
    assert not any(statements[i - 1].startswith("SAVEPOINT") for i in inserts), statements


def test_a_sender_created_meanwhile_reruns_the_decision(
    tenant, carol, ingest, no_mail, monkeypatch
):
    """Another mail from the same new address committed its account between this mail's
    look-up and its insert: the unique index refuses the second account and the decision
    runs again, finding the first."""
    from tickets.email import ingest as ingest_module

    real_facts, seen = ingest_module._facts, []

    def facts_missing_the_sender_once(inbound, parsed, *, release):
        facts, sender = real_facts(inbound, parsed, release=release)
        seen.append(sender)
        return (facts, None) if len(seen) == 1 else (facts, sender)

    monkeypatch.setattr(ingest_module, "_facts", facts_missing_the_sender_once)
    inbound = ingest(raw_mail(subject="Raced"))

    assert seen == [carol, carol]
    assert (inbound.status, inbound.outcome) == ("processed", "ticket_created")
    assert inbound.ticket.requester == carol
    assert User.objects.filter(email__iexact=carol.email).count() == 1


def test_ccs_are_matched_case_insensitively_whatever_their_characters(tenant):
    from tickets.email.ingest import _users_by_address

    odd = ["Mixed.Case@customer.test", "o'neil@customer.test", "a{b}c@customer.test", "NULL"]
    users = [CustomerFactory(email=address) for address in odd]
    asked = [address.lower() for address in odd] + ["nobody@customer.test"]
    with CaptureQueriesContext(connection) as queries:
        found = _users_by_address(asked)
    assert len(queries.captured_queries) == 1
    assert {address: user.pk for address, user in found.items()} == {
        address.lower(): user.pk for address, user in zip(odd, users, strict=True)
    }
