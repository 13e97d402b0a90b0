"""Who is asking, for the audit log: the client address, user agent and user of the request
being served (a context variable the middleware sets; empty outside requests)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

USER_AGENT_MAX = 400


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""
    request: Any = None

    @property
    def user(self):
        """The request's signed-in user (or None): read lazily, after authentication ran."""
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_NO_REQUEST = RequestInfo()
_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "panel1_audit_request", default=None
)


def request_info(request) -> RequestInfo:
    ip = request.META.get("REMOTE_ADDR") or None
    agent = (request.META.get("HTTP_USER_AGENT") or "")[:USER_AGENT_MAX]
    return RequestInfo(ip=ip, user_agent=agent, request=request)


def current() -> RequestInfo:
    return _current.get() or _NO_REQUEST


def bind(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)


class AuditContextMiddleware:
    """Make the request's address and user agent available to `audit_record`.

    The peer address is REMOTE_ADDR: behind a proxy, the proxy layer sets it from a trusted
    header (X-Forwarded-For is not read here because clients can forge it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = bind(request_info(request))
        try:
            return self.get_response(request)
        finally:
            unbind(token)
