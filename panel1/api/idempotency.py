"""`Idempotency-Key` for creating POSTs: same key + same body replays the first answer."""

import contextlib
import hashlib
import json
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from panel1.api.models import IdempotencyRecord
from panel1.text import CONTROL_MESSAGE, has_controls

HEADER = "HTTP_IDEMPOTENCY_KEY"
WINDOW = timedelta(hours=24)


def _request_hash(request) -> str:
    if request.content_type and request.content_type.startswith("multipart/"):
        parts = sorted((k, str(v)) for k, v in request.data.lists()) if request.data else []
        files = sorted(
            (name, f.name, f.size) for name, items in request.FILES.lists() for f in items
        )
        raw = json.dumps([parts, files], sort_keys=True, default=str)
    else:
        raw = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


class IdempotentCreateMixin:
    """Wrap `create()` of a viewset (or any POST handler via `idempotent()`)."""

    def create(self, request, *args, **kwargs):
        return idempotent(
            request, lambda: super(IdempotentCreateMixin, self).create(request, *args, **kwargs)
        )


def idempotent(request, handler):
    key = request.META.get(HEADER, "").strip()
    if not key or not request.user.is_authenticated:
        return handler()
    if has_controls(key):
        return Response({"idempotency_key": [CONTROL_MESSAGE]}, status=status.HTTP_400_BAD_REQUEST)
    if len(key) > 255:
        return Response(
            {"idempotency_key": ["Use at most 255 characters."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    digest = _request_hash(request)
    path = request.path
    # A client retrying while its first request still runs (a timeout, two web nodes) must
    # not create twice: requests with the same caller, path and key run one after the other.
    with _key_lock(f"{connection.schema_name}:{request.user.pk}:{path}:{key}"):
        existing = IdempotencyRecord.objects.filter(
            user=request.user, key=key, path=path, created_at__gte=timezone.now() - WINDOW
        ).first()
        if existing:
            return _replay(existing, digest)
        return _record(request, handler(), key=key, path=path, digest=digest)


@contextlib.contextmanager
def _key_lock(name: str):
    """A session-level advisory lock (PgBouncer session mode keeps it on this client)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [name])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [name])
        except DatabaseError:
            # A broken connection must not keep the lock for its next requests.
            if not connection.in_atomic_block:
                connection.close()
            raise


def _record(request, response, *, key: str, path: str, digest: str) -> Response:
    if 200 <= response.status_code < 300:
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.filter(user=request.user, key=key, path=path).delete()
                IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    path=path,
                    request_hash=digest,
                    status_code=response.status_code,
                    response_body=json.loads(json.dumps(response.data, default=str)),
                )
        except IntegrityError:
            # A concurrent duplicate won the race; answer with its stored result.
            existing = IdempotencyRecord.objects.get(user=request.user, key=key, path=path)
            return _replay(existing, digest)
    return response


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        return Response(
            {"idempotency_key": ["This key was used with a different request body."]},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
