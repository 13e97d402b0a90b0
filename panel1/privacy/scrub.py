"""Replacing a person's identifiers inside free-form stored values (JSON payloads, labels)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Model, Q, QuerySet


def replacer(person_terms: dict[str, str]):
    """A function that replaces each term (case-insensitive) with its pseudonym, in strings
    and recursively in JSON-like values. Empty terms are ignored."""
    terms = {t: r for t, r in person_terms.items() if t and len(t.strip()) >= 3}
    if not terms:
        return lambda value: value
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    lookup = {t.lower(): r for t, r in terms.items()}

    def replace(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: lookup[m.group(0).lower()], value)
        if isinstance(value, dict):
            return {replace(k): replace(v) for k, v in value.items()}
        if isinstance(value, list):
            return [replace(item) for item in value]
        return value

    return replace


def scrub_json_rows(queryset: QuerySet, fields: list[str], person_terms: dict[str, str]) -> int:
    """Rewrite `fields` of every row in `queryset` whose value mentions a term; answers the
    number of rows changed. Rows are matched in the database (JSON cast to text)."""
    replace = replacer(person_terms)
    match = Q()
    for field in fields:
        for term in person_terms:
            if term:
                match |= Q(**{f"{field}__icontains": term})
    changed = 0
    for row in queryset.filter(match).iterator():
        updates = {field: replace(getattr(row, field)) for field in fields}
        type(row).objects.filter(pk=row.pk).update(**updates)
        changed += 1
    return changed


def scrub_text_rows(
    queryset: QuerySet, fields: list[str], person_terms: dict[str, str], *, on_change=None
) -> int:
    """Rewrite free text other people wrote (`fields` of `queryset`): each term is replaced
    where it stands as a whole word (an address anywhere), so "Ann" never changes "Annual".
    `on_change(row)` runs before a row is rewritten (e.g. to drop cached renderings)."""
    terms = {t: r for t, r in person_terms.items() if t and len(t.strip()) >= 3}
    if not terms:
        return 0
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in sorted(terms, key=len, reverse=True)),
        re.I,
    )
    lookup = {t.lower(): r for t, r in terms.items()}
    match = Q()
    for field in fields:
        for term in terms:
            match |= Q(**{f"{field}__icontains": term})
    changed = 0
    for row in queryset.filter(match).iterator():
        updates = {}
        for field in fields:
            value = getattr(row, field) or ""
            new = pattern.sub(lambda m: lookup[m.group(0).lower()], value)
            if new != value:
                updates[field] = new
        if updates:
            if on_change is not None:
                on_change(row)
            type(row).objects.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def person_terms(person: Model, pseudonym_email: str, pseudonym_name: str) -> dict[str, str]:
    return {person.email: pseudonym_email, person.name: pseudonym_name}
