"""Report answers are cached per tenant until the analytics job's next run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from reports.services import reports_refresh
from tests.conftest import in_schema
from tests.factories import SupervisorFactory
from tests.reports.conftest import DAY, at
from tickets.models import Ticket

URL = "/api/v1/reports/overview/"
RANGE = {"start": "2026-03-02", "end": "2026-03-04"}


@pytest.fixture
def cached(settings):
    settings.REPORTS_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def created(client) -> int:
    return client.get(URL, RANGE).json()["totals"]["created"]


def test_answer_is_cached_until_the_next_job_run(
    cached, api_client, make_ticket, supervisor, django_assert_max_num_queries
):
    make_ticket(created=at(DAY, 9))
    reports_refresh(now=at(DAY, 12))
    client = api_client(supervisor)
    assert created(client) == 1

    make_ticket(created=at(DAY, 10))
    Ticket.objects.update(updated_at=at(DAY, 13))
    with django_assert_max_num_queries(6):  # session, user, tenant zone, the job's stamp
        assert created(client) == 1  # the job has not run: the cached answer

    reports_refresh(now=at(DAY, 14))
    assert created(client) == 2  # the run changed the key


def test_cache_is_per_tenant(cached, api_client, make_ticket, supervisor, other_tenant):
    make_ticket(created=at(DAY, 9))
    reports_refresh(now=at(DAY, 12))
    assert created(api_client(supervisor)) == 1
    with in_schema(other_tenant):
        boss = SupervisorFactory()
        reports_refresh(now=at(DAY, 12))  # the same stamp as tenant A's
    assert created(api_client(boss, on=other_tenant)) == 0


def test_filters_and_viewers_get_their_own_entries(
    cached, api_client, make_ticket, supervisor, agent
):
    make_ticket(created=at(DAY, 9), assignee=agent, priority="HIGH")
    make_ticket(created=at(DAY + dt.timedelta(days=1), 9))
    reports_refresh(now=at(DAY, 12))
    boss = api_client(supervisor)
    assert created(boss) == 2
    assert boss.get(URL, {**RANGE, "priority": "HIGH"}).json()["totals"]["created"] == 1
    assert created(api_client(agent)) == 1  # an agent's own figures, not the supervisor's
