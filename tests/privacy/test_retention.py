"""Retention: the tenant's policy, the daily prune with its counts, closed tickets."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from automation.models import RuleRun
from panel1 import jobs
from panel1.api.models import IdempotencyRecord
from panel1.audit.models import AuditEntry
from panel1.events.models import EventRecord
from panel1.privacy.models import DataExport, RetentionPolicy
from panel1.privacy.retention import retention_prune
from panel1.privacy.services import retention_policy_update
from tests.factories import AdminFactory, AgentFactory, TicketFactory
from tests.factories.automation import RuleFactory
from tickets.models import InboundEmail, Message, Status, Ticket

OLD = timezone.now() - timedelta(days=400)


def _inbound(status: str, *, old: bool) -> InboundEmail:
    mail = InboundEmail.objects.create(
        source="test",
        raw=b"From: x@y.test\r\n\r\nhi",
        raw_sha256="0" * 64,
        dedup_key=status,
        sender="x@y.test",
        status=status,
    )
    if old:
        InboundEmail.objects.filter(pk=mail.pk).update(received_at=OLD)
    return mail


def test_the_daily_prune_removes_what_is_past_retention_and_logs_counts(tenant):
    admin = AdminFactory()
    kept_mail, held_mail = _inbound("processed", old=False), _inbound("held", old=True)
    _inbound("processed", old=True)
    IdempotencyRecord.objects.create(
        user=admin, key="k", path="/p", request_hash="h", status_code=201, response_body={}
    )
    IdempotencyRecord.objects.update(created_at=OLD)
    EventRecord.objects.create(name="ticket.created", processed_at=OLD)
    pending_event = EventRecord.objects.create(name="ticket.created")
    rule = RuleFactory()
    run = RuleRun.objects.create(rule=rule, event_name="ticket.created", matched=True)
    RuleRun.objects.filter(pk=run.pk).update(created_at=OLD)
    export = DataExport.objects.create(subject=admin, status="ready", expires_at=OLD)

    counts = retention_prune()

    assert counts["inbound_mail"] == 1 and counts["idempotency_records"] == 1
    assert counts["processed_events"] >= 1 and counts["automation_runs"] == 1
    assert counts["expired_exports"] == 1 and "closed_tickets" not in counts  # 0 = forever
    assert set(InboundEmail.objects.values_list("pk", flat=True)) == {kept_mail.pk, held_mail.pk}
    assert EventRecord.objects.filter(pk=pending_event.pk).exists()
    assert not DataExport.objects.filter(pk=export.pk).exists()
    entry = AuditEntry.objects.filter(action="retention_pruned").latest("id")
    assert entry.details == counts and entry.actor_label == "system"
    again = retention_prune()
    assert set(again.values()) == {0}


def test_closed_tickets_are_anonymised_after_the_policy_days(tenant):
    admin = AdminFactory()
    agent = AgentFactory()
    old = TicketFactory(subject="Old secret subject", content="old private words")
    recent = TicketFactory(subject="Recent subject")
    for ticket in (old, recent):
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    Ticket.objects.filter(pk=old.pk).update(closed_at=OLD)
    retention_policy_update(actor=admin, closed_tickets=365)

    counts = retention_prune()

    assert counts["closed_tickets"] == 1
    old.refresh_from_db()
    assert (old.subject, old.number, old.status) == ("[redacted]", old.number, Status.CLOSED)
    assert set(Message.objects.filter(ticket=old).values_list("content", flat=True)) == {
        "[redacted]"
    }
    assert Ticket.objects.get(pk=recent.pk).subject == "Recent subject"
    assert agent  # staff untouched
    assert retention_prune()["closed_tickets"] == 0


def test_closed_tickets_can_be_deleted_instead(tenant):
    admin = AdminFactory()
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED, closed_at=OLD)
    retention_policy_update(actor=admin, closed_tickets=30, closed_ticket_action="delete")

    assert retention_prune()["closed_tickets"] == 1
    assert not Ticket.objects.filter(pk=ticket.pk).exists()


def test_policy_changes_are_validated_and_audited(tenant, tenant_client):
    admin = AdminFactory()
    client = tenant_client(admin)
    fields = {
        "closed_tickets": 730,
        "closed_ticket_action": "anonymise",
        "inbound_mail": 30,
        "idempotency_records": 2,
        "processed_events": 30,
        "automation_runs": 60,
        "expired_exports": 1,
    }
    client.post("/desk/privacy/retention/", fields)
    policy = RetentionPolicy.get()
    assert (policy.closed_tickets, policy.inbound_mail, policy.automation_runs) == (730, 30, 60)
    entry = AuditEntry.objects.filter(action="settings_changed").latest("id")
    assert entry.details["section"] == "retention"
    assert entry.details["closed_tickets"] == [0, 730]

    client.post("/desk/privacy/retention/", {**fields, "inbound_mail": -5})
    assert RetentionPolicy.get().inbound_mail == 30
    assert tenant_client(AgentFactory()).post("/desk/privacy/retention/", fields).status_code == 403


def test_retention_is_a_daily_per_tenant_schedule():
    spec = {s.name: s for s in jobs.registered_schedules()}["privacy.retention"]
    assert (spec.func, spec.per_tenant, spec.minutes) == (
        "panel1.privacy.tasks.retention_prune_task",
        True,
        24 * 60,
    )
