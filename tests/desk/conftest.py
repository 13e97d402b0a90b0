import pytest
from django.core.cache import cache

from tests.factories import (
    AdminFactory,
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    SupervisorFactory,
    TicketFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Support statistics and sidebar counts are cached; every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agent(tenant):
    return AgentFactory(name="Alice Agent")


@pytest.fixture
def other_agent(tenant):
    return AgentFactory(name="Bob Agent")


@pytest.fixture
def supervisor(tenant):
    return SupervisorFactory(name="Sam Supervisor")


@pytest.fixture
def admin_user(tenant):
    return AdminFactory(name="Ada Admin")


@pytest.fixture
def customer(tenant):
    return CustomerFactory(name="Carol Customer")


@pytest.fixture
def category(tenant):
    return CategoryFactory(name="Billing desk")


@pytest.fixture
def ticket(customer):
    return TicketFactory(requester=customer, subject="Printer jammed on floor 3")


@pytest.fixture
def desk(tenant_client, agent):
    """A desk client logged in as the agent."""
    return tenant_client(agent)


@pytest.fixture
def frozen_desk_clock(monkeypatch):
    """Pin the desk's clock: ETags carry the minute (for SLA countdowns), and a test that
    compares two ETags must not straddle a minute boundary."""
    from types import SimpleNamespace

    from django.utils import timezone

    from desk.views import base

    pinned = timezone.now()
    monkeypatch.setattr(base, "timezone", SimpleNamespace(now=lambda: pinned))
    return pinned
