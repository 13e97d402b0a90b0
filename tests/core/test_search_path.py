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


def test_requests_set_the_path_once_and_not_again_for_the_same_tenant(
    session_tenants, django_db_blocker
):
    """The tenant middleware reads the domain without a SET and keeps a session path that
    already is the tenant's; another tenant's request sets its own path."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def work():
        client = Client(HTTP_HOST="alpha.test.localhost")
        seen = []
        for host in ("alpha.test.localhost", "alpha.test.localhost", "beta.test.localhost"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/api/v1/tickets/", HTTP_HOST=host).status_code in (401, 403)
            seen.append([q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SET ")])
            seen.append(_path())
        return seen

    first, path1, second, path2, third, path3 = _in_thread(django_db_blocker, work)
    assert len(first) <= 1 and path1 == "t_alpha"
    assert second == [] and path2 == "t_alpha"
    # (an anonymous request runs no tenant query: the SET comes with the next statement)
    assert third in ([], ['SET search_path = "t_beta","public"']) and path3 == "t_beta"


def test_after_a_rollback_the_next_request_sets_the_path_again(session_tenants, django_db_blocker):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    alpha, beta = session_tenants

    def work():
        client = Client(HTTP_HOST="alpha.test.localhost")
        client.get("/api/v1/tickets/")
        connection.set_tenant(beta)
        with pytest.raises(RuntimeError), transaction.atomic():
            _path()  # SET beta inside a transaction that rolls back: alpha's path is back
            raise RuntimeError("roll back")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/api/v1/tickets/")
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SET ")], _path()

    sets, path = _in_thread(django_db_blocker, work)
    assert path == "t_alpha" and len(sets) <= 1
