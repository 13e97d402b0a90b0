"""A client retrying while its first create still runs gets the first answer, not a twin."""

import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from panel1.accounts.models import Role, User
from tickets.models import Ticket

pytestmark = pytest.mark.slow


def test_concurrent_requests_with_one_key_create_one_ticket(session_tenants, django_db_blocker):
    tenant, copies = session_tenants[0], 4
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        agent = User.objects.create_user("race-agent@alpha.test", role=Role.AGENT)
    barrier, answers, errors = threading.Barrier(copies), [], []
    body = {"subject": "Race", "content": "Twice?", "requester_email": "race@customer.test"}

    def post():
        try:
            with django_db_blocker.unblock():
                client = APIClient(HTTP_HOST="alpha.test.localhost")
                client.force_authenticate(agent)
                barrier.wait()
                answer = client.post(
                    "/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="race-1"
                )
                answers.append((answer.status_code, answer.json()["id"]))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert len(answers) == copies and len({answer for answer in answers}) == 1
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            assert Ticket.objects.filter(subject="Race").count() == 1
    finally:
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            Ticket.objects.filter(subject="Race").delete()
            agent.delete()
            User.objects.filter(email="race@customer.test").delete()  # the requester it made
