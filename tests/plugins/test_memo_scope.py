"""`memo_scope()`: plugin settings read once per schema for a batch outside requests (the
ingest command's files, an SLA monitor pass), as a request does."""

from contextlib import nullcontext

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from panel1.plugins import state
from panel1.plugins.registry import registry

pytestmark = pytest.mark.django_db


def _reads(tenant, scope) -> int:
    with scope, CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            # event dispatch runs in a schema_context: a stand-in tenant without fields
            with schema_context(tenant.schema_name):
                state.enabled_settings()
    return sum('"plugins_pluginstate"' in q["sql"] for q in queries.captured_queries)


def test_settings_are_read_once_per_scope(tenant):
    assert registry.all()  # the shipped plugins are installed in the test environment
    assert _reads(tenant, nullcontext()) == 3
    assert _reads(tenant, state.memo_scope()) == 1


def test_an_open_scope_is_kept_and_closed_by_its_owner(tenant):
    with state.memo_scope():
        with state.memo_scope():
            assert state._local.memo is not None
        assert state._local.memo is not None  # the inner scope did not end the outer one
    assert state._local.memo is None
