"""Log context and hygiene: every line names its tenant schema and request (or job) id.

- `RequestIdMiddleware` takes a sane incoming `X-Request-ID` (from the proxy) or makes one,
  keeps it in a context variable for the request and answers it in `X-Request-ID`.
- `panel1.jobs` carries the id of the request that enqueued a task into the worker (or makes
  a `job-...` id), so a request and the jobs it caused share one id.
- `ContextFilter` (on the handlers, so third-party loggers get it too) adds `schema` and
  `request_id` to every record and redacts secrets (tokens, passwords, signatures) that a
  message or its arguments might carry.
- `JsonFormatter` is the `LOG_FORMAT=json` format: one JSON object per line.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# key=value / "key": "value" pairs and auth headers whose values must never reach a log.
_SECRET_PAIRS = re.compile(
    r"(?i)(\"?\b(?:password|passwd|secret|token|api[_-]?key|signature|"
    r"csrfmiddlewaretoken|sessionid)\b\"?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,&;]+)"
)
_AUTH_SCHEMES = re.compile(r"(?i)\b(Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")
REDACTED = "[redacted]"


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token:
    """Use `value` when it is a sane id, else a new one; returns the token to reset."""
    if not value or not _SANE_ID.match(value):
        value = uuid.uuid4().hex
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def redact(text: str) -> str:
    text = _AUTH_SCHEMES.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _SECRET_PAIRS.sub(lambda m: m.group(1) + REDACTED, text)


def _schema_name() -> str:
    from django.db import connection

    return getattr(connection, "schema_name", None) or "-"


class ContextFilter(logging.Filter):
    """Add `schema` and `request_id`; render the message once and redact secrets in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "schema"):
            record.schema = _schema_name()
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug, not a lost line
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "schema": getattr(record, "schema", "-"),
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The plain format; tracebacks are redacted like messages."""

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))


class RequestIdMiddleware:
    """Set the request id for the request's log lines. It is cleared when the response is
    closed (request_finished), not when this middleware returns: Django logs 4xx/5xx answers
    (`django.request`) after the whole middleware chain, and those lines need it too."""

    def __init__(self, get_response):
        from django.core.signals import request_finished

        self.get_response = get_response
        request_finished.connect(_clear_request_id, dispatch_uid="panel1.logs.request_id")

    def __call__(self, request):
        set_request_id(request.headers.get("X-Request-ID"))
        request.request_id = current_request_id()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def _clear_request_id(**kwargs) -> None:
    _request_id.set("-")
