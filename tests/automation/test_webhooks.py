"""Webhooks: signed POSTs to a real HTTP server on loopback, retries with backoff, SSRF guard."""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from automation import webhooks
from automation.deliveries import MAX_ATTEMPTS, backoff, deliveries_retry_due
from automation.models import DeliveryStatus, RuleRun, WebhookDelivery
from tests.factories import TicketFactory
from tests.factories.automation import RuleFactory, act


class Receiver:
    """An HTTP server on 127.0.0.1 answering with the next queued status code."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/panel1?source=test"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


def fire(run_on_commit, url, secret=None):
    params = {"url": url, **({"secret": secret} if secret else {})}
    rule = RuleFactory(name="Hook", actions=[act("send_webhook", **params)])
    with run_on_commit():
        ticket = TicketFactory()
    return rule, ticket


def test_webhook_is_posted_as_signed_json(tenant, run_on_commit, receiver):
    rule, ticket = fire(run_on_commit, receiver.url, secret="s3cret")

    (request,) = receiver.requests
    headers = request["headers"]
    assert request["path"] == "/hooks/panel1?source=test"
    assert headers["Content-Type"] == "application/json"
    expected = hmac.new(
        b"s3cret", headers["X-Panel1-Timestamp"].encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert headers["X-Panel1-Signature"] == f"sha256={expected}"
    body = json.loads(request["body"])
    assert body["event"] == "ticket.created"
    assert body["rule"] == {"id": str(rule.pk), "name": "Hook"}
    assert body["ticket"]["number"] == ticket.number
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Panel1-Delivery"] == str(delivery.pk)
    assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED,
        1,
        200,
    )
    assert delivery.delivered_at is not None


def test_unsigned_without_a_secret(tenant, run_on_commit, receiver):
    fire(run_on_commit, receiver.url)

    assert "X-Panel1-Signature" not in receiver.requests[0]["headers"]


def test_failed_attempts_are_retried_with_backoff_until_success(tenant, run_on_commit, receiver):
    receiver.statuses = [500, 503]

    fire(run_on_commit, receiver.url, secret="k")

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempt_count == 1 and delivery.last_status_code == 500
    first_due = delivery.next_attempt_at
    now = timezone.now()
    assert now + backoff(1) - timedelta(seconds=30) <= first_due <= now + backoff(1)
    assert deliveries_retry_due() == 0  # not due yet

    assert deliveries_retry_due(now=first_due) == 1
    delivery.refresh_from_db()
    assert (delivery.attempt_count, delivery.status) == (2, DeliveryStatus.PENDING)
    assert delivery.next_attempt_at - first_due == backoff(2)

    assert deliveries_retry_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == (DeliveryStatus.SUCCEEDED, 3)
    assert [a.status_code for a in delivery.attempts.all()] == [500, 503, 200]
    assert len(receiver.requests) == 3
    # Every retry is signed afresh over the same body.
    assert len({r["body"] for r in receiver.requests}) == 1


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(20) == timedelta(hours=1)


def test_delivery_gives_up_after_the_last_attempt(tenant, run_on_commit, receiver):
    receiver.statuses = [500] * MAX_ATTEMPTS
    fire(run_on_commit, receiver.url)
    delivery = WebhookDelivery.objects.get()

    while delivery.status == DeliveryStatus.PENDING:
        deliveries_retry_due(now=delivery.next_attempt_at)
        delivery.refresh_from_db()

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts.count() == MAX_ATTEMPTS
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_client_errors_are_not_retried(tenant, run_on_commit, receiver):
    receiver.statuses = [404]
    fire(run_on_commit, receiver.url)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "HTTP 404")


def test_redirects_are_not_followed(tenant, run_on_commit, receiver):
    receiver.statuses = [302]
    fire(run_on_commit, receiver.url)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "Redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_connection_errors_are_retried(tenant, run_on_commit):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fire(run_on_commit, f"http://127.0.0.1:{port}/hook")

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "ConnectionRefused" in delivery.last_error


def test_a_delivery_is_attempted_once_even_if_two_workers_pick_it(tenant, run_on_commit, receiver):
    from automation.deliveries import delivery_attempt

    receiver.statuses = [500]
    fire(run_on_commit, receiver.url)
    delivery = WebhookDelivery.objects.get()
    due = delivery.next_attempt_at

    assert delivery_attempt(delivery_id=str(delivery.pk), now=due) is not None
    assert delivery_attempt(delivery_id=str(delivery.pk), now=due) is None
    assert len(receiver.requests) == 2


# --- SSRF guard -----------------------------------------------------------------------------


@pytest.fixture
def guarded(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False


def test_loopback_is_refused_when_private_networks_are_not_allowed(
    tenant, run_on_commit, receiver, guarded
):
    fire(run_on_commit, receiver.url)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.REFUSED
    assert "loopback" in delivery.last_error
    assert receiver.requests == []
    assert RuleRun.objects.get().errors == []  # queued fine; refused when sending


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert webhooks.address_refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert webhooks.address_refusal(address) is None


def test_hosts_resolving_to_private_addresses_are_refused(monkeypatch, guarded):
    def fake_getaddrinfo(host, port, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", fake_getaddrinfo)

    with pytest.raises(webhooks.WebhookRefused, match="10.0.0.7"):
        webhooks.resolve_target("https://rebind.example.com/hook")


def test_the_connection_goes_to_the_checked_address(monkeypatch, guarded):
    """DNS is asked once; the socket connects to that answer, not to a second lookup."""
    answers = iter(["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(
        webhooks.socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))
        ],
    )
    connected = []

    def fake_connect(address, timeout, source_address=None):
        connected.append(address)
        raise OSError("test: no network")

    monkeypatch.setattr(webhooks.socket, "create_connection", fake_connect)

    result = webhooks.send(url="http://hooks.example.com/x", body=b"{}")

    assert connected == [("93.184.216.34", 80)]
    assert result.status_code is None and result.retryable


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "http://user:pw@example.com/", "http://no-such-host.invalid/"]
)
def test_bad_urls_are_refused(url, guarded):
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.resolve_target(url)
