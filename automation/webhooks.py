"""Outbound webhooks: SSRF guard, HMAC signing and one HTTP attempt.

The guard resolves the host once, refuses the request if ANY address is not a public
unicast address (loopback, private, link-local incl. cloud metadata, multicast, reserved,
shared/CGNAT, IPv4 embedded in IPv6) and then connects to exactly that checked address, so a
second DNS answer cannot swap in an internal one (DNS rebinding). Redirects are never
followed: a 3xx answer is a failed delivery.

Signature: when the rule sets a secret, the request carries
``X-Panel1-Timestamp: <unix seconds>`` and
``X-Panel1-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

USER_AGENT = "Panel1-Webhooks/1.0"
TIMEOUT_SECONDS = 10
MAX_RESPONSE_BYTES = 64 * 1024
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class WebhookRefused(Exception):
    """The URL may not be called (bad shape or a non-public address)."""


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    error: str
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Network errors, timeouts, 408, 429 and 5xx are worth another try; 3xx/4xx not."""
        if self.status_code is None:
            return True
        return self.status_code in (408, 429) or self.status_code >= 500


def private_networks_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: str) -> str | None:
    """Say why a webhook may not be sent to this IP address, or None if it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address."
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)) is not None:
        ip = embedded
    if ip.is_loopback:
        return f"{ip} is a loopback address."
    if ip.is_link_local:
        return f"{ip} is a link-local address (this includes cloud metadata services)."
    if ip.is_multicast:
        return f"{ip} is a multicast address."
    if ip.is_private or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return f"{ip} is a private or reserved address."
    return None


def resolve_target(url: str) -> tuple[str, int, str, str]:
    """(scheme, port, host, checked IP address) for `url`; raise WebhookRefused if refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("Only http:// and https:// URLs with a host can be called.")
    if parts.username or parts.password:
        raise WebhookRefused("URLs with credentials are not allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookRefused("The URL's port is not valid.") from exc
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookRefused(f"Cannot resolve {host}: {exc}.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise WebhookRefused(f"{host} has no address.")
    if not private_networks_allowed():
        for address in addresses:
            if (reason := address_refusal(address)) is not None:
                raise WebhookRefused(
                    f"{host} resolves to a non-public address: {reason} "
                    "(set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it in development)."
                )
    return parts.scheme, port, host, addresses[0]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def encode_payload(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()


def _connection(scheme: str, host: str, port: int, address: str) -> http.client.HTTPConnection:
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)

    # Connect to the address that was checked, never to a fresh DNS answer; TLS still
    # verifies the certificate against `host` (HTTPSConnection wraps with server_hostname).
    def pinned(_address, timeout, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    conn._create_connection = pinned  # type: ignore[attr-defined]
    return conn


def send(
    *, url: str, body: bytes, secret: str = "", headers: dict[str, str] | None = None
) -> AttemptResult:
    """POST `body` to `url` once; refuse non-public targets (raises WebhookRefused)."""
    scheme, port, host, address = resolve_target(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    all_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **(headers or {}),
    }
    if secret:
        timestamp = str(int(time.time()))
        all_headers["X-Panel1-Timestamp"] = timestamp
        all_headers["X-Panel1-Signature"] = signature(secret, timestamp, body)
    started = time.perf_counter()
    conn = _connection(scheme, host, port, address)
    try:
        conn.request("POST", path, body=body, headers=all_headers)
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return AttemptResult(None, f"{type(exc).__name__}: {exc}"[:1000], _ms(started))
    finally:
        conn.close()
    error = ""
    if 300 <= status < 400:
        error = "Redirects are not followed; point the rule at the final URL."
    elif status >= 400:
        error = f"HTTP {status}"
    return AttemptResult(status, error, _ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
