"""Request parsers that bound what they read and clean what they return.

Configured as DEFAULT_PARSER_CLASSES, so every API endpoint gets them:
- JSON bodies are capped in bytes (413) and in nesting depth (400) *before* `json.loads`, so
  a deeply nested document never reaches the recursive decoder;
- every string in a JSON, form or multipart body has its newlines normalized (CRLF -> LF)
  and is rejected with a field error (400) when it holds a C0 control character such as NUL.
"""

from __future__ import annotations

import io
import re
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError

from panel1.text import CONTROL_MESSAGE, has_controls, normalize_newlines

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
_OPENERS = {ord("["), ord("{")}


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "payload_too_large"


def read_bounded(stream, limit: int) -> bytes:
    """Read at most `limit` bytes; a longer body is refused without reading it all."""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(
            _("The request body is larger than %(limit)s bytes.") % {"limit": limit}
        )
    return raw


def json_depth(raw: bytes) -> int:
    """Deepest nesting of arrays/objects in a JSON text, without parsing it."""
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", raw))
    if not brackets:
        return 0
    return max(accumulate(1 if c in _OPENERS else -1 for c in brackets))


def _clean(value: Any, key: str) -> Any:
    if isinstance(value, str):
        if has_controls(value):
            raise ValidationError({key: [CONTROL_MESSAGE]})
        return normalize_newlines(value)
    if isinstance(value, list):
        return [_clean(item, key) for item in value]
    if isinstance(value, dict):
        return {_clean(k, key): _clean(v, key) for k, v in value.items()}
    return value


def clean_payload(data: Any) -> Any:
    """Normalize newlines in every string; a control character -> 400 naming the field."""
    if isinstance(data, dict):
        return {name: _clean(value, str(name)) for name, value in data.items()}
    return _clean(data, "non_field_errors")


def clean_querydict(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(key, [_clean(value, key) for value in values])
    cleaned._mutable = False
    return cleaned


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser behind a byte limit and a depth limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_bounded(stream, settings.API_MAX_JSON_BYTES)
        if json_depth(raw) > settings.API_MAX_JSON_DEPTH:
            raise ParseError(
                _("JSON nested deeper than %(api_max_json_depth)s levels.")
                % {"api_max_json_depth": settings.API_MAX_JSON_DEPTH}
            )
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        return clean_payload(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return clean_querydict(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(clean_querydict(result.data), result.files)
