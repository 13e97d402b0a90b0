"""`SET search_path` is issued once per tenant switch (TENANT_LIMIT_SET_CALLS), and a rollback
that undoes a SET never leaves queries in the wrong schema.

PostgreSQL's SET is transactional: rolling back the transaction (or savepoint) that issued it
restores the previous path. django-tenants forgets its cached path on `rollback()` and
`savepoint_rollback()`, so the next query sets it again. These tests run on a connection of
their own (a thread), in autocommit, as requests and jobs do.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT (current_schemas(false))[1]")
        return cursor.fetchone()[0]


def _in_thread(django_db_blocker, work):
    outcome: dict = {}

    def run():
        try:
            with django_db_blocker.unblock():
                outcome["value"] = work()
        except BaseException as exc:  # surfaced by the test
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_the_setting_is_on():
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_a_rolled_back_transaction_does_not_leave_the_previous_tenants_path(
    session_tenants, django_db_blocker
):
    alpha, beta = session_tenants

    def work():
        connection.set_tenant(beta)
        assert _path() == beta.schema_name  # SET beta, committed (autocommit)
        connection.set_tenant(alpha)
        with pytest.raises(RuntimeError), transaction.atomic():
            assert _path() == alpha.schema_name  # SET alpha inside the transaction
            raise RuntimeError("roll back")
        # PostgreSQL restored beta's path with the rollback; the next query sets alpha again.
        return _path()

    assert _in_thread(django_db_blocker, work) == "t_alpha"


def test_a_rolled_back_savepoint_does_not_leave_the_previous_tenants_path(
    session_tenants, django_db_blocker
):
    alpha, beta = session_tenants

    def work():
        with transaction.atomic():
            connection.set_tenant(beta)
            assert _path() == beta.schema_name
            with pytest.raises(RuntimeError), transaction.atomic():
                connection.set_tenant(alpha)
                assert _path() == alpha.schema_name  # SET inside the savepoint
                raise RuntimeError("roll back to the savepoint")
            return _path()

    assert _in_thread(django_db_blocker, work) == "t_alpha"


def test_one_set_per_tenant_switch(session_tenants, django_db_blocker):
    alpha, _ = session_tenants

    def work():
        from django.test.utils import CaptureQueriesContext

        connection.set_tenant(alpha)
        with CaptureQueriesContext(connection) as ctx:
            for _ in range(5):
                _path()
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SET ")]

    assert len(_in_thread(django_db_blocker, work)) == 1
