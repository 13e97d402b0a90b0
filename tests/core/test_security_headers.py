"""Security headers on every kind of page, and no inline script anywhere the CSP forbids it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)


def assert_hardened(response, *, html: bool):
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp.split("script-src")[-1].split(";")[0]
    assert "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    if html:
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        body = response.content.decode()
        assert not INLINE_SCRIPT.findall(body), INLINE_SCRIPT.findall(body)
        assert " onclick=" not in body and " onload=" not in body


@pytest.fixture
def pages(tenant, tenant_client, api_client):
    admin = AdminFactory()
    agent = AgentFactory()
    customer = CustomerFactory()
    ticket = TicketFactory(requester=customer)
    return {
        "portal home (anonymous)": (tenant_client(), "/"),
        "portal login": (tenant_client(), "/login/"),
        "portal signup": (tenant_client(), "/account/signup/"),
        "portal ticket": (tenant_client(customer), f"/tickets/{ticket.number}/"),
        "portal privacy": (tenant_client(customer), "/account/privacy/"),
        "knowledge base": (tenant_client(), "/kb/"),
        "desk login": (tenant_client(), "/desk/login/"),
        "desk dashboard": (tenant_client(agent), "/desk/"),
        "desk queue": (tenant_client(agent), "/desk/queue/open/"),
        "desk ticket": (tenant_client(agent), f"/desk/tickets/{ticket.number}/"),
        "desk audit": (tenant_client(admin), "/desk/audit/"),
        "desk privacy": (tenant_client(admin), "/desk/privacy/"),
        "django admin": (tenant_client(admin), "/admin/"),
        "django admin user change": (
            tenant_client(admin),
            f"/admin/accounts/user/{agent.pk}/change/",
        ),
        "api docs": (tenant_client(admin), "/api/v1/docs/"),
    }


def test_every_html_page_type_is_hardened(pages):
    for name, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert_hardened(response, html=True)


def test_api_answers_and_errors_carry_the_headers(tenant, api_client):
    assert_hardened(api_client(AgentFactory()).get("/api/v1/me/"), html=False)
    assert_hardened(api_client().get("/api/v1/tickets/"), html=False)
    assert_hardened(api_client(AgentFactory()).get("/api/v1/schema/"), html=False)


def test_public_site_health_and_unknown_hosts_carry_the_headers(session_tenants, db):
    landing = Client(HTTP_HOST="localhost").get("/")
    assert landing.status_code == 200
    assert_hardened(landing, html=True)
    assert_hardened(Client(HTTP_HOST="localhost").get("/healthz"), html=False)
    assert_hardened(Client(HTTP_HOST="nobody.example.com").get("/"), html=False)


def test_a_download_keeps_its_own_sandbox_policy(tenant, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = CustomerFactory()
    ticket = TicketFactory(requester=customer)
    client = api_client(customer)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    created = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"content": "file", "attachments": [SimpleUploadedFile("a.png", png)]},
        format="multipart",
    ).json()
    response = client.get(created["attachments"][0]["url"])
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
