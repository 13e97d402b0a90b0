"""Timestamps read through psycopg's compiled loader (`panel1.db_loaders`) are the values
Django's own loader answers: the same instant, with the connection's time zone as tzinfo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from panel1.db_loaders import _TimestampLoader

TEXTS = [
    "2026-12-06 23:22:08.618208+00",
    "2026-03-29 01:59:59.999999+00",
    "2020-02-29 00:00:00+02",
    "1999-12-31 23:59:59.5-05:30",
    "0999-01-01 12:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


@pytest.mark.django_db
def test_the_connection_reads_timestamps_as_django_does():
    with connection.cursor() as cursor:
        loader = cursor.connection.adapters.get_loader(1184, Format.TEXT)
        assert issubclass(loader, _TimestampLoader)
        assert loader.timezone == connection.timezone
        values = ", ".join(f"'{text}'::timestamptz" for text in TEXTS)
        cursor.execute(f"SELECT {values}, NULL::timestamptz")
        row = cursor.fetchone()
        cursor.execute(f"SELECT {', '.join(f'({v})::text' for v in values.split(', '))}")
        texts = cursor.fetchone()
        django_loader = type("Django", (BaseTzLoader,), {"timezone": connection.timezone})
        expected = [django_loader(1184, cursor.connection).load(t.encode()) for t in texts]

    assert list(row[:-1]) == expected
    assert row[-1] is None
    assert all(value.tzinfo is dt.UTC for value in row[:-1])
    assert [value.isoformat() for value in row[:-1]] == [v.isoformat() for v in expected]
