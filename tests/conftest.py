"""Tenant fixtures shared by the whole suite.

Two tenants are provisioned once per test session (and survive --reuse-db); each test runs in
pytest-django's rolled-back transaction with the connection set to a tenant schema.
"""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection
from django.test import TestCase
from django_tenants.test.client import TenantClient
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from panel1.events import bus
from panel1.tenants.models import Tenant
from panel1.tenants.services import ensure_public_tenant, tenant_provision

TENANT_A = {"schema_name": "t_alpha", "domain": "alpha.test.localhost", "name": "Alpha Corp"}
TENANT_B = {"schema_name": "t_beta", "domain": "beta.test.localhost", "name": "Beta Inc"}


def _provision(spec: dict) -> Tenant:
    return tenant_provision(
        **spec, admin_email=f"admin@{spec['domain']}", admin_password="admin-pass-123"
    ).tenant


@pytest.fixture(scope="session")
def session_tenants(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_public_tenant()
        tenants = (_provision(TENANT_A), _provision(TENANT_B))
        connection.set_schema_to_public()
    return tenants


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: tenant data (SLA profiles, automation rules) is
    cached per schema and invalidated on change, but a test's rolled-back rows are not."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def tenant(session_tenants, db):
    """Tenant A, with the connection in its schema for the test."""
    connection.set_tenant(session_tenants[0])
    yield session_tenants[0]
    connection.set_schema_to_public()


@pytest.fixture
def other_tenant(session_tenants, db):
    """Tenant B; use `in_schema(other_tenant)` to act inside it."""
    return session_tenants[1]


@contextlib.contextmanager
def in_schema(tenant: Tenant):
    previous = connection.tenant
    with schema_context(tenant.schema_name):
        yield
    connection.set_tenant(previous)


@pytest.fixture
def committed(session_tenants, django_db_blocker):
    """`committed(work)` runs `work()` in tenant A's schema on a connection of its own (a
    thread, as a request or a job has one), so its transactions commit for real: no per-test
    rollback, the test removes what it made (with `committed` too). Answers what `work`
    answered; an exception it raised is raised here."""

    def run(work):
        import threading

        outcome = {}

        def target():
            try:
                with django_db_blocker.unblock(), schema_context(session_tenants[0].schema_name):
                    outcome["value"] = work()
            except Exception as exc:  # raised in the test's thread below
                outcome["error"] = exc
            finally:
                connection.close()

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    return run


def synchronous_commit() -> str:
    """The `synchronous_commit` the current transaction will commit with."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit')")
        return cursor.fetchone()[0]


@pytest.fixture
def run_on_commit():
    """`with run_on_commit(): ...` executes on_commit callbacks (event dispatch, tasks)."""
    return lambda: TestCase.captureOnCommitCallbacks(using="default", execute=True)


class CommitAwareAPIClient(APIClient):
    """An API client whose requests behave as if committed: after-commit work runs."""

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(using="default", execute=True):
            return super().request(**kwargs)


class CommitAwareTenantClient(TenantClient):
    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(using="default", execute=True):
            return super().request(**kwargs)


def _host(tenant: Tenant) -> str:
    return tenant.domains.get(is_primary=True).domain


@pytest.fixture
def api_client(tenant):
    """`api_client(user)` -> a client on tenant A's host, authenticated as `user` (or anonymous)."""

    def make(user=None, *, on: Tenant | None = None, token: str | None = None):
        client = CommitAwareAPIClient(HTTP_HOST=_host(on or tenant))
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        elif user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def tenant_client(tenant):
    """`tenant_client(user)` -> a browser-like client on tenant A's host, logged in as `user`."""

    def make(user=None, *, on: Tenant | None = None):
        client = CommitAwareTenantClient(on or tenant)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def events():
    """Collect every event dispatched after commit (name, payload) during the test."""
    captured: list[bus.Event] = []
    bus.subscribe("*", key="tests.capture", handler=captured.append)
    yield captured
    bus.unsubscribe("*", key="tests.capture")
