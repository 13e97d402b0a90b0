"""schemathesis over the generated OpenAPI schema, against the WSGI app, as a tenant admin.

Every operation gets a bounded number of generated requests (valid and invalid data); each
answer must not be a 5xx, must use a documented status code and must match the documented
response schema. `SCHEMATHESIS_MAX_EXAMPLES` raises the bound for a longer local run.
"""

import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from panel1.api.tokens import api_token_create
from panel1.wsgi import application
from tests.factories import AdminFactory, CategoryFactory, CustomerFactory, TicketFactory
from tests.factories.knowledgebase import ArticleFactory

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def app(environ, start_response):
    """The production WSGI app, minus closing the test's database connection after each
    request (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


@pytest.fixture
def api_world(tenant):
    """A tenant with a little of everything, and an admin token to explore it with."""
    cache.clear()  # throttling counters
    admin = AdminFactory()
    customer = CustomerFactory()
    TicketFactory(requester=customer)
    TicketFactory(requester=customer, category=CategoryFactory())
    ArticleFactory(status="PUBLISHED", visibility="PUBLIC")
    # A token of the API's own token model (a DRF authtoken row would be refused: every
    # generated request would only exercise the 401 answer).
    _token, key = api_token_create(actor=admin, user=admin, name="schemathesis")
    host = tenant.domains.get(is_primary=True).domain
    return {"Host": host, "Authorization": f"Token {key}"}


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_match_the_schema(case, api_world):
    case.call_and_validate(app=app, headers=api_world, checks=CHECKS)
