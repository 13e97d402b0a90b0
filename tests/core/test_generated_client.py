"""A typed Python client generated from our OpenAPI schema works against the real API.

The schema is fetched from `GET /api/v1/schema/?format=json` on the tenant's host, a client
package is generated from it with openapi-python-client (a pinned dev dependency) into a
temporary directory and imported; its typed functions then call the production WSGI app over
HTTP semantics (httpx's WSGI transport: real request bytes, headers and status codes, in the
test's transaction). Every answer is parsed by the generated models, so a response that does
not match the schema (a `null` declared non-nullable, a missing required field, an
undocumented status) fails here.
"""

from __future__ import annotations

import importlib
import json
import sys
import uuid

import httpx
import pytest
from django.core.cache import cache
from openapi_python_client import generate
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.errors import ErrorLevel

from panel1.api.tokens import api_token_create
from tests.core.wsgi_app import wsgi_app
from tests.factories import AgentFactory, CustomerFactory

PACKAGE = "panel1_generated_client"


def _transport() -> httpx.WSGITransport:
    return httpx.WSGITransport(app=wsgi_app)


@pytest.fixture
def host(tenant):
    cache.clear()  # throttling counters
    return tenant.domains.get(is_primary=True).domain


@pytest.fixture
def api(host, tmp_path):
    """The generated package, built from the schema the tenant's host serves."""
    answer = httpx.Client(transport=_transport(), base_url=f"http://{host}").get(
        "/api/v1/schema/", params={"format": "json"}
    )
    assert answer.status_code == 200, answer.text[:300]
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(_json_bodies(answer.json())))
    config = Config.from_sources(
        ConfigFile(
            package_name_override=PACKAGE,
            post_hooks=[],  # no formatter run: the code is imported, not read
            # Export downloads are bytes; the generator has no zip type of its own.
            content_type_overrides={"application/zip": "application/octet-stream"},
        ),
        MetaType.NONE,
        source,
        "utf-8",
        overwrite=True,
        output_path=tmp_path / PACKAGE,
    )
    problems = generate(config=config)
    errors = [p for p in problems if p.level == ErrorLevel.ERROR]
    assert errors == [], [f"{p.header}: {p.detail}" for p in errors]
    assert [p for p in problems if p.level == ErrorLevel.WARNING] == [], [
        f"{p.header}: {p.detail}" for p in problems
    ]
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module(PACKAGE)
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _json_bodies(schema: dict) -> dict:
    """The schema with each request body in JSON only, where JSON is one of its types.

    Our write endpoints accept JSON, forms and multipart for one serializer; the generator
    cannot tell three bodies of one type apart (the last one would win, and a form cannot
    carry nested data), so this client speaks JSON, as the API contract's integrators do.
    Bodies that are multipart only (uploads) keep their type.
    """
    for operations in schema["paths"].values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content") or {}
            if "application/json" in content:
                for other in [name for name in content if name != "application/json"]:
                    del content[other]
    return schema


def _module(api, dotted: str):
    return importlib.import_module(f"{api.__name__}.{dotted}")


def _client(api, host: str, user):
    _token, key = api_token_create(actor=user, user=user, name="generated client")
    client = api.AuthenticatedClient(
        base_url=f"http://{host}",
        token=key,
        prefix="Token",
        raise_on_unexpected_status=True,  # an undocumented status code fails the test
        httpx_args={"transport": _transport()},
    )
    return client


def test_generated_client_creates_lists_replies_and_changes_status(api, host):
    models = _module(api, "models")
    tickets_create = _module(api, "api.tickets.tickets_create")
    tickets_list = _module(api, "api.tickets.tickets_list")
    tickets_retrieve = _module(api, "api.tickets.tickets_retrieve")
    messages_create = _module(api, "api.tickets.tickets_messages_create")
    messages_list = _module(api, "api.tickets.tickets_messages_list")
    status_create = _module(api, "api.tickets.tickets_status_create")

    customer = CustomerFactory(email="gen-client@example.test", name="Gen Client")
    agent = AgentFactory(name="Alice Agent")
    as_customer = _client(api, host, customer)
    as_agent = _client(api, host, agent)

    # Create, as the customer: 201 and a fully typed Ticket.
    created = tickets_create.sync_detailed(
        client=as_customer,
        body=models.TicketCreateRequest(
            subject="Printer jammed",
            content="It shows error E-42.",
            priority=models.PriorityEnum.HIGH,
            tags=["printer"],
        ),
    )
    assert created.status_code == 201
    ticket = created.parsed
    assert isinstance(ticket, models.Ticket)
    assert ticket.subject == "Printer jammed"
    assert ticket.priority == models.PriorityEnum.HIGH
    assert ticket.status == models.TicketStatusEnum.OPEN
    assert ticket.category is None  # nullable, as declared
    assert ticket.requester.email == customer.email
    assert isinstance(ticket.id, uuid.UUID)

    # List, as the agent: the page shape of the contract, the new ticket in it.
    page = tickets_list.sync(client=as_agent, limit=5)
    assert isinstance(page, models.PaginatedTicketList)
    assert page.count >= 1
    assert ticket.id in [t.id for t in page.results]
    assert all(isinstance(t, models.Ticket) for t in page.results)

    # Reply, as the agent; the customer sees it on the ticket's messages.
    reply = messages_create.sync_detailed(
        id=str(ticket.id),
        client=as_agent,
        body=models.MessageCreateRequest(content="Please switch it off and on again."),
    )
    assert reply.status_code == 201
    assert isinstance(reply.parsed, models.Message)
    assert reply.parsed.author.email == agent.email
    messages = messages_list.sync(id=str(ticket.id), client=as_customer)
    assert "Please switch it off and on again." in [m.content for m in messages.results]

    # The reply changed the ticket: its version grew. A status change sent with the version
    # the agent first saw is stale -> 412 with the current ticket; the fresh one wins.
    current = tickets_retrieve.sync_detailed(id=str(ticket.id), client=as_agent)
    assert current.headers["ETag"] == f'"{current.parsed.version}"'
    assert current.parsed.version > ticket.version
    stale = status_create.sync_detailed(
        id=str(ticket.id),
        client=as_agent,
        body=models.StatusChangeRequest(status=models.TicketStatusEnum.RESOLVED),
        if_match=f'"{ticket.version}"',
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, models.TicketConflict)
    assert stale.parsed.current.version == current.parsed.version
    assert stale.parsed.current.status != models.TicketStatusEnum.RESOLVED
    fresh = status_create.sync_detailed(
        id=str(ticket.id),
        client=as_agent,
        body=models.StatusChangeRequest(status=models.TicketStatusEnum.RESOLVED),
        if_match=current.headers["ETag"],
    )
    assert fresh.status_code == 200
    assert fresh.parsed.status == models.TicketStatusEnum.RESOLVED
    assert fresh.headers["ETag"] == f'"{fresh.parsed.version}"'


def test_generated_client_reads_field_errors(api, host):
    models = _module(api, "models")
    tickets_create = _module(api, "api.tickets.tickets_create")
    status_create = _module(api, "api.tickets.tickets_status_create")
    as_customer = _client(api, host, CustomerFactory())

    bad = tickets_create.sync_detailed(
        client=as_customer,
        body=models.TicketCreateRequest(subject="", content=""),
    )
    assert bad.status_code == 400
    assert isinstance(bad.parsed, models.TicketsCreateResponse400)
    errors = bad.parsed.to_dict()
    assert set(errors) == {"subject", "content"}, errors
    for field, messages in errors.items():
        assert isinstance(messages, list) and messages, (field, messages)
        assert all(isinstance(message, str) and message for message in messages)

    # A transition the workflow does not allow: 400 naming the field, in the same shape.
    agent = _client(api, host, AgentFactory())
    created = tickets_create.sync(
        client=as_customer, body=models.TicketCreateRequest(subject="Fine", content="Text.")
    )
    closed = status_create.sync(
        id=str(created.id),
        client=agent,
        body=models.StatusChangeRequest(status=models.TicketStatusEnum.CLOSED),
    )
    assert closed.status == models.TicketStatusEnum.CLOSED
    wrong = status_create.sync_detailed(
        id=str(created.id),
        client=agent,
        body=models.StatusChangeRequest(status=models.TicketStatusEnum.IN_PROGRESS),
    )
    assert wrong.status_code == 400
    assert isinstance(wrong.parsed, models.TicketsStatusCreateResponse400)
    assert list(wrong.parsed.to_dict()) == ["status"]
    assert all(isinstance(m, str) for m in wrong.parsed["status"])
