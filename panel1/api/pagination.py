"""List pages: `?limit=&offset=` (with `count`), or keyset pages with `?cursor=` (API.md,
"Deep pages").

A cursor page costs the same at page 1 and page 10,000: instead of counting and skipping
rows, it asks for the rows after (or before) the last one seen, in the list's own ordering,
with the primary key as the final tie-breaker. `?cursor=` (empty) starts at the first page;
`next` and `previous` carry opaque cursors; there is no `count`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

CURSOR = "cursor"
INVALID = {CURSOR: ["This cursor is not valid for this list."]}


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 20
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = None
        # Keyset pages need an ordered QuerySet; a list built in Python (the plugins) pages
        # by limit/offset whatever the query says.
        if CURSOR not in request.query_params or not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request) or self.default_limit
        self.keyset = KeysetPage(queryset, request.query_params.get(CURSOR, ""), self.limit)
        return self.keyset.rows

    def get_paginated_response(self, data):
        if self.keyset is None:
            return super().get_paginated_response(data)
        url = remove_query_param(self.request.build_absolute_uri(), self.offset_query_param)

        def link(token):
            return replace_query_param(url, CURSOR, token) if token else None

        return Response(
            {
                "next": link(self.keyset.next_token),
                "previous": link(self.keyset.previous_token),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = "Absent on `?cursor=` pages."
        answer["required"] = [name for name in answer.get("required", []) if name != "count"]
        return answer

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": CURSOR,
                "required": False,
                "in": "query",
                "description": "Keyset paging: empty for the first page, then the cursor of "
                "`next`/`previous` (the answer has no `count`).",
                "schema": {"type": "string"},
            },
        ]


def _keys(queryset) -> list[tuple[Any, bool]]:
    """The ordering as (expression, descending) pairs, ending with the primary key."""
    keys: list[tuple[Any, bool]] = []
    query = queryset.query
    ordering = list(query.order_by) or (
        list(query.get_meta().ordering) if query.default_ordering else []
    )
    for item in ordering:
        if isinstance(item, str):
            name = item.lstrip("-")
            name = "pk" if name == queryset.model._meta.pk.name else name
            keys.append((F(name), item.startswith("-")))
        elif isinstance(item, OrderBy):
            keys.append((item.expression, item.descending))
        else:
            keys.append((item, False))
    if not any(isinstance(e, F) and e.name == "pk" for e, _ in keys):
        keys.append((F("pk"), keys[-1][1] if keys else False))
    return keys


class KeysetPage:
    """One keyset page of `queryset`: `rows`, `next_token`, `previous_token`."""

    def __init__(self, queryset, token: str, limit: int):
        keys = _keys(queryset)
        names = [f"_keyset_{i}" for i in range(len(keys))]
        qs = queryset.annotate(**{name: expr for name, (expr, _) in zip(names, keys, strict=True)})
        backward, values = _decode(token, len(keys))
        if values is not None:
            fields = [qs.query.annotations[name].output_field for name in names]
            try:
                values = [
                    None if v is None else f.to_python(v)
                    for f, v in zip(fields, values, strict=True)
                ]
            except (DjangoValidationError, ValueError, TypeError):
                raise ValidationError(INVALID) from None
            qs = qs.filter(_after(names, keys, values, backward=backward))
        order = [
            F(name).asc() if descending == backward else F(name).desc()
            for name, (_, descending) in zip(names, keys, strict=True)
        ]
        rows = list(qs.order_by(*order)[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        if backward:
            rows.reverse()
        self.rows = rows
        self.next_token = self.previous_token = None
        if rows:
            first = [getattr(rows[0], name) for name in names]
            last = [getattr(rows[-1], name) for name in names]
            has_next = more if not backward else True
            has_previous = (values is not None) if not backward else more
            self.next_token = _encode(False, last) if has_next else None
            self.previous_token = _encode(True, first) if has_previous else None


def _after(names, keys, values, *, backward: bool) -> Q:
    """Rows strictly after `values` in the ordering (before, when `backward`)."""
    if any(value is None for value in values):
        raise ValidationError(INVALID)
    condition = Q()
    for i, (name, (_, descending)) in enumerate(zip(names, keys, strict=True)):
        step = Q(**{f"{names[j]}": values[j] for j in range(i)})
        later = descending == backward  # ascending forward, or descending backward
        step &= Q(**{f"{name}__{'gt' if later else 'lt'}": values[i]})
        condition |= step
    return condition


def _encode(backward: bool, values: list) -> str:
    raw = json.dumps({"b": backward, "v": values}, default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str, size: int) -> tuple[bool, list | None]:
    token = (token or "").strip()
    if not token:
        return False, None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        backward, values = bool(data["b"]), data["v"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise ValidationError(INVALID) from None
    if not isinstance(values, list) or len(values) != size:
        raise ValidationError(INVALID)
    return backward, values
