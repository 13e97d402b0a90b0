"""Tenant-aware job helpers on django-q2.

Every task runs inside the schema of the tenant it was enqueued for: `enqueue()` records the
current schema and dispatches after commit; the worker-side entry point `run_in_schema()`
enters `schema_context` (never a bare `set_tenant`: worker processes are reused). Periodic jobs
fan out: one public schedule enqueues one task per tenant.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.module_loading import import_string

from panel1.logs import current_request_id, reset_request_id, set_request_id

logger = logging.getLogger(__name__)
# The keyword that carries the enqueuing request's id into the worker (never a task's own).
REQUEST_ID = "_panel1_request_id"


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    minutes: int
    per_tenant: bool


_schedules: dict[str, ScheduleSpec] = {}


def register_schedule(*, name: str, func: str, minutes: int, per_tenant: bool) -> None:
    """Declare a periodic job; `manage.py setup_schedules` creates it idempotently."""
    _schedules[name] = ScheduleSpec(name=name, func=func, minutes=minutes, per_tenant=per_tenant)


def registered_schedules() -> list[ScheduleSpec]:
    return sorted(_schedules.values(), key=lambda spec: spec.name)


def enqueue(func: str, *args: Any, schema_name: str | None = None, **kwargs: Any) -> None:
    """Queue `func` (dotted path) to run in the current tenant's schema after commit."""
    from django_q.tasks import async_task

    schema = schema_name or connection.schema_name

    request_id = current_request_id()

    def _send():
        async_task(
            "panel1.jobs.run_in_schema", schema, func, *args, **kwargs, **{REQUEST_ID: request_id}
        )

    transaction.on_commit(_send)


def run_in_schema(schema_name: str, func: str, *args: Any, **kwargs: Any) -> Any:
    """Worker entry point: run `func` inside `schema_name`, logging under the request id of
    the request that enqueued it (or a new `job-...` id)."""
    from django_tenants.utils import schema_context

    parent = kwargs.pop(REQUEST_ID, None)
    token = set_request_id(parent if parent and parent != "-" else f"job-{uuid.uuid4().hex[:16]}")
    try:
        with schema_context(schema_name):
            return import_string(func)(*args, **kwargs)
    finally:
        reset_request_id(token)


def tenant_schema_names() -> list[str]:
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    return list(
        get_tenant_model()
        .objects.exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def for_each_tenant(func: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Run `func` in every tenant's schema in this process; a failing tenant is logged."""
    results: dict[str, Any] = {}
    for schema in tenant_schema_names():
        try:
            results[schema] = run_in_schema(schema, func, *args, **kwargs)
        except Exception:
            logger.exception("%s failed for tenant %s", func, schema)
            results[schema] = None
    return results


def fan_out(func: str) -> int:
    """Scheduled entry point: enqueue one `func` task per tenant."""
    from django_q.tasks import async_task

    schemas = tenant_schema_names()
    for schema in schemas:
        async_task("panel1.jobs.run_in_schema", schema, func)
    return len(schemas)


def heartbeat() -> None:
    """Scheduled every minute so /healthz can tell whether the job cluster runs."""
    from panel1.core.models import JobHeartbeat

    JobHeartbeat.beat()
