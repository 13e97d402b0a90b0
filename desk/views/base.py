"""What every desk view shares: the staff gate, error display, sidebar context, ETags."""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import override as override_zone

from desk import queues
from panel1.exceptions import DomainError, NotFound
from panel1.i18n.middleware import request_zone

LIVE_POLL_SECONDS = 5  # ticket page; settings.DESK_LIVE_POLL_SECONDS overrides
QUEUE_POLL_SECONDS = 15  # queues and sidebar counts; settings.DESK_QUEUE_POLL_SECONDS


def poll_seconds(kind: str) -> int:
    if kind == "live":
        return int(getattr(settings, "DESK_LIVE_POLL_SECONDS", LIVE_POLL_SECONDS))
    return int(getattr(settings, "DESK_QUEUE_POLL_SECONDS", QUEUE_POLL_SECONDS))


def desk_view(view):
    """Staff only: anonymous users go to the desk login, customers to the portal."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            login = f"{reverse('desk:login')}?{urlencode({'next': request.get_full_path()})}"
            return _redirect(request, login)
        if not user.is_helpdesk_staff:
            return _redirect(request, "/")
        request.desk_now = timezone.now()
        try:
            with override_zone(request_zone(request)):  # the agent's zone
                return view(request, *args, **kwargs)
        except NotFound as exc:
            # A domain "not found" (an unknown plugin, ticket or view) is a 404 page, not a 500.
            raise Http404(str(exc)) from exc

    return wrapper


def _redirect(request, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def error_messages(exc: DomainError) -> list[str]:
    return [message for values in exc.errors.values() for message in values]


def flash_error(request, exc: DomainError) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def go_back(request, fallback: str):
    return redirect(safe_next(request, fallback))


def queue_version(request) -> tuple:
    if not hasattr(request, "desk_version"):
        request.desk_version = queues.queue_version(request.user, request.desk_now)
    return request.desk_version


def sidebar_context(request, *, counts: bool, active: str = "") -> dict:
    """The queue list for the sidebar; counts inline, or loaded by htmx after the page."""
    views = queues.default_views() + [
        queues.as_queue_view(v) for v in queues.saved_views_for(request.user)
    ]
    numbers = None
    if counts:
        numbers = queues.view_counts_cached(
            request.user, views, now=request.desk_now, version=queue_version(request)
        )
    return {
        "sidebar_views": views,
        "sidebar_counts": numbers,
        "active_view": active,
        "queue_poll_seconds": poll_seconds("queue"),
    }


def etag_of(*parts) -> str:
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=12)
    return f'"{digest.hexdigest()}"'


def not_modified_or(request, etag: str, build) -> HttpResponse:
    """304 when the client holds `etag` already; else the built response, tagged."""
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = build()
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie, HX-Request"
    return response
