"""Per-minute schedules skip tenants with nothing due after one query across schemas."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panel1 import jobs
from panel1.events import bus
from panel1.events.models import EventRecord
from sla.fanout import sla_monitor_due
from tests.conftest import in_schema
from tickets.models import Ticket

PER_MINUTE = {
    "sla.monitor",
    "events.sweep",
    "email.imap_poll",
    "automation.webhook_retries",
    "automation.idle_rules",
}


@pytest.fixture
def enqueued(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kw: calls.append(args))
    return calls


def _stale_event() -> None:
    record = EventRecord.objects.create(name="ticket.created", payload={}, actor="system")
    EventRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )


def test_every_frequent_schedule_has_a_due_check():
    specs = {spec.name: spec for spec in jobs.registered_schedules()}
    assert all(specs[name].due is not None for name in PER_MINUTE)


def test_fan_out_enqueues_only_tenants_with_work(tenant, other_tenant, enqueued):
    assert jobs.fan_out("panel1.events.bus.sweep_pending_task") == 0
    _stale_event()
    assert jobs.fan_out("panel1.events.bus.sweep_pending_task") == 1
    assert enqueued == [
        ("panel1.jobs.run_in_schema", "t_alpha", "panel1.events.bus.sweep_pending_task")
    ]


def test_a_suspended_tenant_gets_no_scheduled_work_until_reactivated(
    tenant, other_tenant, enqueued
):
    from panel1.tenants.services import tenant_reactivate, tenant_suspend

    _stale_event()
    tenant_suspend(tenant=tenant, reason="unpaid")
    assert jobs.fan_out("panel1.events.bus.sweep_pending_task") == 0
    jobs.fan_out("panel1.jobs.heartbeat")  # no due check: every active tenant
    assert {call[1] for call in enqueued} >= {other_tenant.schema_name}
    assert tenant.schema_name not in {call[1] for call in enqueued}
    enqueued.clear()
    # Manual commands (key rotation, reports rebuild) still see it.
    assert tenant.schema_name in jobs.tenant_schema_names()

    tenant_reactivate(tenant=tenant)
    assert jobs.fan_out("panel1.events.bus.sweep_pending_task") == 1
    assert enqueued == [
        ("panel1.jobs.run_in_schema", "t_alpha", "panel1.events.bus.sweep_pending_task")
    ]


def _queries(captured) -> list[str]:
    # Not counted: django-tenants' SET search_path, the savepoint around the probe.
    skip = ("SET ", "SAVEPOINT ", "RELEASE SAVEPOINT ")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(skip)]


def test_due_check_is_one_query_for_all_schemas(tenant, other_tenant):
    schemas = ["t_alpha", "t_beta", "tenant_template"]
    with CaptureQueriesContext(connection) as captured:
        assert jobs.schemas_with_work(sla_monitor_due, schemas) == []
    assert len(_queries(captured)) == 1
    with in_schema(other_tenant):
        _stale_event()
    with CaptureQueriesContext(connection) as captured:
        assert jobs.schemas_with_work(bus.sweep_due, schemas) == ["t_beta"]
    assert len(_queries(captured)) == 1


def test_schedules_without_a_due_check_still_visit_every_tenant(tenant, other_tenant, enqueued):
    assert jobs.fan_out("automation.tasks.rule_runs_prune_task") >= 2
    assert {call[1] for call in enqueued} >= {"t_alpha", "t_beta"}


def test_a_due_check_with_a_join_is_refused(tenant):
    def joined(now):
        return Ticket.objects.filter(assignee__email="a@b.test")

    with pytest.raises(ValueError, match="without joins"):
        jobs.schemas_with_work(joined, ["t_alpha"])


def test_a_tenant_without_tables_yet_does_not_break_the_tick(tenant, other_tenant):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA t_being_cloned")  # its Tenant row commits first
    with in_schema(other_tenant):
        _stale_event()
    schemas = ["t_alpha", "t_being_cloned", "t_beta"]
    assert jobs.schemas_with_work(bus.sweep_due, schemas) == ["t_beta"]
