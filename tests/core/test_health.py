import pytest
from django.test import Client

from panel1.core.models import JobHeartbeat

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["alpha.test.localhost", "localhost", "nobody.example.com"])
def test_healthz_answers_on_any_host(session_tenants, host):
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_reports_job_cluster_heartbeat(session_tenants):
    JobHeartbeat.objects.all().delete()
    assert Client().get("/healthz").json()["jobs"] == "never"
    JobHeartbeat.beat()
    body = Client().get("/healthz").json()
    assert body["jobs"] == "ok"
    assert body["jobs_last_seen"].endswith("Z")


def test_unknown_host_gets_404_not_the_public_site(session_tenants):
    client = Client(HTTP_HOST="nobody.example.com")
    assert client.get("/").status_code == 404
    assert client.get("/api/v1/me/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_public_host_serves_landing_page(session_tenants):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    assert b"Panel1 Helpdesk" in response.content
