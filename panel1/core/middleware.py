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
