"""One exception handler: DRF's error shape for everything, never a 500 for bad input."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from panel1.exceptions import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        if exc.status_code == status.HTTP_400_BAD_REQUEST:
            return Response(exc.errors, status=exc.status_code)
        # API.md: every error but 400 answers {"detail": "message"}.
        return Response({"detail": _one_message(exc.errors)}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            data = {"non_field_errors": [str(m) for m in exc.messages]}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Permission denied."}, status=403)
    return drf_exception_handler(exc, context)


def _one_message(errors: dict) -> str:
    parts = []
    for messages in errors.values():
        items = messages if isinstance(messages, list | tuple) else [messages]
        parts.extend(str(item) for item in items)
    return " ".join(parts)
