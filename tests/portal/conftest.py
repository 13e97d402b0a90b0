import re

import pytest
from django.core.cache import cache

from tests.factories import AgentFactory
from tests.factories.portal import VerifiedCustomerFactory


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit counters live in the (process-wide) test cache: start every test at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(tenant):
    return VerifiedCustomerFactory(email="carol@acme-corp.test", name="Carol Customer")


@pytest.fixture
def other_customer(tenant):
    return VerifiedCustomerFactory(email="mallory@elsewhere.test", name="Mallory Other")


@pytest.fixture
def agent(tenant):
    return AgentFactory(name="Alice Agent")


@pytest.fixture
def tenant_flags(tenant):
    """`tenant_flags(allow_signup=False, ...)`: change the tenant's portal switches for a test
    (the test's transaction rolls the row back)."""

    original = {}

    def change(**flags):
        for name, value in flags.items():
            original.setdefault(name, getattr(tenant, name))
            setattr(tenant, name, value)
        tenant.save()
        return tenant

    yield change
    # The row rolls back with the test; the session-wide object must forget the change too.
    for name, value in original.items():
        setattr(tenant, name, value)


LINK_RE = re.compile(r"https?://[^\s\"'<>]+")


def links_in(message) -> list[str]:
    """The URLs in a mail's plain-text body."""
    return LINK_RE.findall(message.body)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
