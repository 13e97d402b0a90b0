from django.db import connection
from django.http import JsonResponse


class HealthCheckMiddleware:
    """Answer GET /healthz on any host, before tenant resolution, for load balancers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in ("/healthz", "/healthz/"):
            return health_response()
        return self.get_response(request)


def health_response() -> JsonResponse:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    try:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    from panel1.core.models import JobHeartbeat

    beat = JobHeartbeat.objects.filter(id=1).values_list("last_seen", flat=True).first()
    if beat is None:
        jobs = "never"
    elif timezone.now() - beat > timedelta(seconds=settings.JOBS_HEARTBEAT_MAX_AGE):
        jobs = "stale"
    else:
        jobs = "ok"
    body = {"status": "ok", "database": "ok", "jobs": jobs}
    if beat is not None:
        body["jobs_last_seen"] = beat.isoformat().replace("+00:00", "Z")
    return JsonResponse(body)


class InputNormalizationMiddleware:
    """The edge where every page and API request's path, query and form input is cleaned.

    - A control character (NUL, ESC, ...) in the path is never a valid address: 404.
    - Query parameters: the API answers 400 naming the parameter; pages drop the characters
      (newlines normalized) so `?q=%00` is an empty search, not a database error.
    - Form posts to pages (not the API, whose parsers do the same with field errors, and not
      the mail webhooks, which carry raw MIME for the ingest pipeline) are cleaned likewise.
    """

    API_PREFIX = "/api/"
    RAW_PREFIXES = ("/mail/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import Http404

        from panel1.text import CONTROL_MESSAGE, CONTROL_RE

        is_api = request.path_info.startswith(self.API_PREFIX)
        if CONTROL_RE.search(request.path_info):
            if is_api:
                return JsonResponse({"detail": "Not found."}, status=404)
            raise Http404("No such page.")
        if is_api:
            bad = _first_dirty_key(request.GET)
            if bad is not None:
                return JsonResponse({bad: [CONTROL_MESSAGE]}, status=400)
            return self.get_response(request)
        if _first_dirty_key(request.GET, newlines=True) is not None:
            request.GET = _stripped(request.GET)
        if (
            request.method == "POST"
            and not request.path_info.startswith(self.RAW_PREFIXES)
            and _is_form(request)
            and _first_dirty_key(request.POST, newlines=True) is not None
        ):
            request.POST = _stripped(request.POST)
        return self.get_response(request)


def _is_form(request) -> bool:
    content_type = request.content_type or ""
    return content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


def _first_dirty_key(data, *, newlines: bool = False) -> str | None:
    """The first parameter whose name or value holds a control character (or a CR when
    `newlines`, since pages normalize those too)."""
    from panel1.text import has_controls

    def dirty(text: str) -> bool:
        return has_controls(text) or (newlines and "\r" in text)

    for key, values in data.lists():
        if dirty(key):
            return "non_field_errors"
        for value in values:
            if isinstance(value, str) and dirty(value):
                return key
    return None


def _stripped(data):
    from django.http import QueryDict

    from panel1.text import strip_controls

    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(strip_controls(key), [strip_controls(v) for v in values])
    cleaned._mutable = False
    return cleaned
