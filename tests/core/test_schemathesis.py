"""schemathesis over the generated OpenAPI schema, against the WSGI app, as a tenant admin.

Every operation gets a bounded number of generated requests (valid and invalid data); each
answer must not be a 5xx, must use a documented status code and must match the documented
response schema. `SCHEMATHESIS_MAX_EXAMPLES` raises the bound for a longer local run.
"""

import os

import pytest
import schemathesis
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from panel1.api.tokens import api_token_create
from tests.core.wsgi_app import wsgi_app
from tests.factories import AdminFactory, CategoryFactory, CustomerFactory, TicketFactory
from tests.factories.knowledgebase import ArticleFactory

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


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
    case.call_and_validate(app=wsgi_app, headers=api_world, checks=CHECKS)
