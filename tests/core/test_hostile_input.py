"""Regression tests for every 500 of issue 22, and the input rules of panel1.text."""

import json

import pytest

from panel1.text import clean_one_line, has_controls, normalize_newlines, strip_controls
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tickets.models import Message, Ticket


@pytest.fixture
def agent(tenant):
    return AgentFactory(name="Alice Agent")


@pytest.fixture
def customer(tenant):
    return CustomerFactory(name="Carol Customer")


@pytest.fixture
def ticket(customer):
    return TicketFactory(requester=customer, subject="Printer jammed")


# --- panel1.text ---------------------------------------------------------------------------


def test_newlines_are_normalized_before_anything_else():
    assert normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n"
    assert not has_controls("line one\r\nline two\tend")
    assert has_controls("nul\x00")
    assert strip_controls("a\x00b\x1b[31mc\r\n") == "ab[31mc\n"


def test_one_line_values_lose_bidi_tricks_but_keep_joiners_and_marks():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # ZWJ sequence
    arabic = "\u0645\u0631\u062d\u0628\u0627\u200f 42"  # RLM keeps "42" in place
    assert clean_one_line(f"invoice\u202egpj.exe {family}") == f"invoicegpj.exe {family}"
    assert clean_one_line(f"\u2066{arabic}\u2069\u200b") == arabic
    assert clean_one_line("  two\n lines\x01 ") == "two lines"


# --- the 500s of the issue, anonymous ------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/kb/search/?q=%00", "/kb/search/?q=a%00b", "/kb/%00/", "/tickets/%00/"]
)
def test_nul_in_public_pages_is_not_a_server_error(tenant_client, path):
    response = tenant_client().get(path)
    assert response.status_code in (200, 302, 400, 404)


def test_kb_search_with_nul_searches_without_it(tenant_client):
    response = tenant_client().get("/kb/search/?q=print%00er")
    assert response.status_code == 200


def test_nul_in_api_paths_is_not_found(api_client, agent):
    client = api_client(agent)
    for path in (
        "/api/v1/kb/articles/%00/",
        "/api/v1/tickets/%00/",
        "/api/v1/sla/tickets/%00/explanation/",
        "/api/v1/automation/templates/%00/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    assert api_client().get("/api/v1/kb/articles/%00/").status_code == 404


def test_nul_in_api_query_is_a_field_error(api_client, agent):
    response = api_client(agent).get("/api/v1/tickets/?search=%00")
    assert response.status_code == 400
    assert "search" in response.json()


# --- the desk and the portal ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/desk/search/?q=%00",
        "/desk/canned/?q=%00",
        "/desk/canned/?ticket=%00",
        "/desk/tickets/%00/",
        "/desk/tickets/%00/live/",
    ],
)
def test_nul_in_desk_pages_is_not_a_server_error(tenant_client, agent, path):
    assert tenant_client(agent).get(path).status_code in (200, 400, 404)


def test_portal_ticket_with_nul_is_not_found(tenant_client, customer):
    assert tenant_client(customer).get("/tickets/%00/").status_code == 404


def test_desk_reply_with_nul_is_stored_without_it(tenant_client, agent, ticket):
    response = tenant_client(agent).post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Try\x00 again\r\nplease", "message_type": "STAFF_REPLY"},
    )
    assert response.status_code < 500
    latest = Message.objects.filter(ticket=ticket).order_by("-created_at").first()
    assert latest.content == "Try again\nplease"


# --- API bodies ----------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_before_parsing(api_client, customer):
    body = '{"subject": "x", "content": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api_client(customer).post(
        "/api/v1/tickets/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_oversized_json_is_refused(api_client, customer, settings):
    settings.API_MAX_JSON_BYTES = 1000
    body = json.dumps({"subject": "x", "content": "y" * 2000})
    response = api_client(customer).post(
        "/api/v1/tickets/", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "detail" in response.json()


def test_overlong_requester_email_is_a_field_error(api_client, agent):
    email = "a" * 300 + "@example.test"
    response = api_client(agent).post(
        "/api/v1/tickets/",
        {"subject": "Hi", "content": "Hello", "requester_email": email},
        format="json",
    )
    assert response.status_code == 400
    assert "requester_email" in response.json()


def test_nul_in_api_fields_is_a_field_error(api_client, customer):
    response = api_client(customer).post(
        "/api/v1/tickets/", {"subject": "Hi\x00", "content": "Hello"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["subject"]


def test_escape_sequences_in_message_content_are_refused(api_client, customer, ticket):
    response = api_client(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages/", {"content": "\x1b[31mred"}, format="json"
    )
    assert response.status_code == 400
    assert "content" in response.json()


def test_subject_is_stored_without_bidi_overrides(api_client, customer):
    response = api_client(customer).post(
        "/api/v1/tickets/",
        {"subject": "Invoice \u202eFDP.exe\u200b", "content": "a\r\nb", "tags": ["\u2066vip"]},
        format="json",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.subject == "Invoice FDP.exe"
    assert ticket.tags == ["vip"]
    assert ticket.messages.get().content == "a\nb"


def test_form_encoded_api_bodies_are_cleaned_too(api_client, customer):
    response = api_client(customer).post(
        "/api/v1/tickets/", {"subject": "Hi", "content": "x\x00"}, format="multipart"
    )
    assert response.status_code == 400
    assert "content" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/stats/support/", "/api/v1/stats/sla/"])
def test_stats_with_far_dates_are_a_field_error(api_client, agent, path):
    response = api_client(agent).get(f"{path}?start=0001-01-01&end=9999-12-31")
    assert response.status_code == 400
    assert set(response.json()) == {"start", "end"}


def test_the_landing_page_works_for_a_signed_in_platform_admin(session_tenants, db):
    """The public schema has no accounts URLs: the header must not 500 on the logout link."""
    from django.db import connection
    from django.test import Client

    from panel1.accounts.models import Role, User

    connection.set_schema_to_public()
    admin = User.objects.create_superuser(
        email="platform-landing@panel1.test", password="pass-1234-word", role=Role.ADMIN
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    assert client.get("/").status_code == 200


def test_an_idempotency_key_with_control_characters_is_a_field_error(api_client, customer):
    response = api_client(customer).post(
        "/api/v1/tickets/",
        {"subject": "Hi", "content": "Hello"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key\x00",
    )
    assert response.status_code == 400
    assert "idempotency_key" in response.json()


def test_an_overlong_cc_address_in_the_desk_is_an_error_not_a_500(tenant_client, agent, ticket):
    response = tenant_client(agent).post(
        f"/desk/tickets/{ticket.number}/cc/", {"email": "a" * 300 + "@example.test"}
    )
    assert response.status_code < 500
    assert not ticket.cc.exists()


def test_a_draft_with_nul_is_saved_without_it(tenant_client, agent, ticket):
    from desk.models import ReplyDraft

    response = tenant_client(agent).post(
        f"/desk/tickets/{ticket.number}/draft/", {"content": "half\x00 written\r\n"}
    )
    assert response.status_code == 200
    assert ReplyDraft.objects.get(ticket=ticket, user=agent).content == "half written\n"
