import pytest

from panel1.api.tokens import api_token_create
from tests.conftest import in_schema
from tests.factories import AgentFactory, CustomerFactory


def test_me_requires_authentication(api_client):
    response = api_client().get("/api/v1/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_me_with_token(api_client, tenant):
    agent = AgentFactory(email="me@alpha.test", name="Me Agent")
    _, key = api_token_create(actor=agent, user=agent, name="test")
    response = api_client(token=key).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "me@alpha.test"
    assert body["role"] == "AGENT"
    assert body["tenant"]["schema"] == tenant.schema_name


def test_token_of_tenant_a_is_rejected_on_tenant_b(api_client, other_tenant):
    agent = AgentFactory()
    _, key = api_token_create(actor=agent, user=agent, name="test")
    response = api_client(token=key, on=other_tenant).get("/api/v1/me/")
    assert response.status_code == 401


def test_session_auth_enforces_csrf(tenant_client):
    user = CustomerFactory()
    client = tenant_client(user)
    client.handler.enforce_csrf_checks = True
    assert client.get("/api/v1/me/").status_code == 200


def test_schema_is_openapi_json(api_client):
    response = api_client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]


def test_docs_are_served_without_a_cdn(api_client):
    response = api_client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_users_are_per_tenant(tenant, other_tenant):
    AgentFactory(email="only-in-a@alpha.test")
    from panel1.accounts.models import User

    with in_schema(other_tenant):
        assert not User.objects.filter(email="only-in-a@alpha.test").exists()
    assert User.objects.filter(email="only-in-a@alpha.test").exists()


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/schema/"])
def test_api_on_unknown_host_is_404(client, session_tenants, path):
    assert client.get(path, HTTP_HOST="nobody.example.com").status_code == 404
