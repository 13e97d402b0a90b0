"""The OpenAPI schema's error answers, declared once for every operation (API.md's shapes).

Every operation may answer 400 (field errors, or `detail` for an unreadable body or query),
401, 403, 404 and 429; writes also 413 (body too large) and 415 (unsupported media type);
POSTs 422 (an Idempotency-Key reused with another body). 409 and 412 are declared by the
views that answer them (conflicts carry `current`). Generated typed clients then know every
answer they can get.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = serializers.DictField(help_text=_("The resource as it is now."))


FIELD_ERRORS = {
    "type": "object",
    "description": "Field errors: {field: [messages]} (`non_field_errors` for the rest); "
    "`{detail}` when the body or query could not be read.",
    "additionalProperties": {},
}
COMMON = ("400", "401", "403", "404", "429")
WRITE = ("413", "415")
POST = ("422",)
CONFLICTS = ("409", "412")


def _is_bare(response: dict) -> bool:
    """A response declared as a free-form object (OpenApiTypes.OBJECT) or without content."""
    content = response.get("content") or {}
    schemas = [media.get("schema") or {} for media in content.values()]
    return not schemas or all(s.get("type") == "object" and len(s) <= 2 for s in schemas)


class AutoSchema(openapi.AutoSchema):
    def _error_codes(self) -> tuple[str, ...]:
        codes = COMMON
        if self.method in ("POST", "PUT", "PATCH"):
            codes += WRITE
        if self.method == "POST":
            codes += POST
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            shape = FIELD_ERRORS if code == "400" else ErrorSerializer
            responses[code] = self._get_response_for_code(shape, code, direction=direction)
        for code in CONFLICTS:
            if code in responses and _is_bare(responses[code]):
                responses[code] = self._get_response_for_code(
                    ConflictSerializer, code, direction=direction
                )
        return responses


__all__ = ["AutoSchema", "ConflictSerializer", "ErrorSerializer", "OpenApiTypes"]
