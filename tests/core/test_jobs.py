from django.db import connection

from panel1 import jobs
from tests.conftest import in_schema

seen: list[str] = []


def record_schema():
    seen.append(connection.schema_name)
    return connection.schema_name


def test_enqueued_task_runs_in_the_tenant_schema_after_commit(tenant, run_on_commit):
    seen.clear()
    with run_on_commit():
        jobs.enqueue("tests.core.test_jobs.record_schema")
        assert seen == []  # nothing leaves before commit
    assert seen == [tenant.schema_name]


def test_for_each_tenant_visits_every_tenant(tenant, other_tenant):
    results = jobs.for_each_tenant("tests.core.test_jobs.record_schema")
    assert results[tenant.schema_name] == tenant.schema_name
    assert results[other_tenant.schema_name] == other_tenant.schema_name
    assert "public" not in results


def test_run_in_schema_restores_the_previous_schema(tenant, other_tenant):
    with in_schema(tenant):
        assert jobs.run_in_schema(
            other_tenant.schema_name, "tests.core.test_jobs.record_schema"
        ) == (other_tenant.schema_name)
        assert connection.schema_name == tenant.schema_name


def test_heartbeat_schedule_is_registered():
    names = {spec.name for spec in jobs.registered_schedules()}
    assert {"jobs.heartbeat", "events.sweep"} <= names
