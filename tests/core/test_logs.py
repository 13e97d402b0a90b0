"""Log lines name their tenant and request (or job), come as JSON on request, leak no secrets."""

from __future__ import annotations

import io
import json
import logging

import pytest

from panel1 import jobs
from panel1.logs import ContextFilter, JsonFormatter, TextFormatter
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tests.factories.email import raw_mail

LOGGER = logging.getLogger("panel1.tests")


@pytest.fixture
def log_output():
    """What the configured console handler writes (its filter and formatter included)."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def log_from_a_job(message: str) -> None:
    LOGGER.warning(message)


def test_a_request_logs_with_its_tenant_and_request_id(tenant, tenant_client, settings, log_output):
    settings.ANYMAIL = {}  # an unconfigured webhook logs a warning
    response = tenant_client().post(
        "/mail/inbound/mailgun/", {"x": "1"}, HTTP_X_REQUEST_ID="req-42abc"
    )
    assert response.status_code == 403
    assert response["X-Request-ID"] == "req-42abc"
    line = log_output.getvalue().strip().splitlines()[-1]
    assert f"[{tenant.schema_name} req-42abc]" in line


def test_an_insane_incoming_request_id_is_replaced(tenant, tenant_client):
    response = tenant_client().get("/healthz", HTTP_X_REQUEST_ID="bad id\x01" + "x" * 100)
    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32


def test_a_job_logs_under_the_request_id_that_enqueued_it(tenant, log_output):
    jobs.run_in_schema(
        tenant.schema_name,
        "tests.core.test_logs.log_from_a_job",
        "job ran",
        **{jobs.REQUEST_ID: "req-parent"},
    )
    jobs.run_in_schema(tenant.schema_name, "tests.core.test_logs.log_from_a_job", "alone")
    first, second = log_output.getvalue().strip().splitlines()[-2:]
    assert f"[{tenant.schema_name} req-parent]" in first
    assert f"[{tenant.schema_name} job-" in second


def test_secrets_are_redacted(log_output):
    LOGGER.warning(
        "login password=hunter2 with Authorization: Token 0123456789abcdef0123 and %s",
        '{"api_key": "sk-live-123", "secret": "s3cr3t"}',
    )
    line = log_output.getvalue()
    for secret in ("hunter2", "0123456789abcdef0123", "sk-live-123", "s3cr3t"):
        assert secret not in line
    assert line.count("[redacted]") == 4


def test_json_format_is_one_object_per_line():
    record = logging.LogRecord("panel1.x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    ContextFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "boom now" and entry["level"] == "ERROR"
    assert {"time", "logger", "schema", "request_id"} <= set(entry)
    assert TextFormatter("%(message)s").format(record) == "boom now"


def test_message_bodies_and_passwords_never_reach_the_logs(
    tenant, api_client, tenant_client, ingest_mail, caplog
):
    caplog.set_level(logging.DEBUG)
    agent, customer = AgentFactory(), CustomerFactory()
    ticket = TicketFactory(requester=customer, content="SECRET-BODY-ONE")
    api_client(agent).post(f"/api/v1/tickets/{ticket.pk}/messages/", {"content": "SECRET-BODY-2"})
    ingest_mail(raw_mail(body="SECRET-BODY-THREE\n"))
    ingest_mail(b"From: x@y.test\r\nContent-Type: multipart/mixed\r\n\r\nSECRET-BODY-FOUR\x00")
    tenant_client().post("/accounts/login/", {"username": agent.email, "password": "pw-SECRET-5"})
    assert "SECRET" not in caplog.text


@pytest.fixture
def ingest_mail(tenant, run_on_commit):
    from tickets.email.ingest import inbound_receive

    def run(raw: bytes):
        with run_on_commit():
            return inbound_receive(raw=raw, source="test")

    return run
