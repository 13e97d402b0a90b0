"""Dates as Django's `date_format` prints them, remembered per value, zone, format and
language.

A ticket page formats ~90 instants (its messages, audit rows, history and SLA times) at
~40 µs each, and shows the same ones again on every view and live refresh of the ticket.
The text depends only on the instant, its zone (part of the key: aware datetimes in
different zones compare and hash equal), the format and the active language (month and day
names, a.m./p.m.), which are the key.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.translation import get_language


@lru_cache(maxsize=8192)
def _formatted(value: datetime, zone, fmt: str, language: str | None) -> str:
    return dateformat.format(value, fmt)


def date_format(value: datetime, fmt: str) -> str:
    """`django.utils.formats.date_format(value, fmt)`: `fmt` a format or a format setting's
    name ("DATETIME_FORMAT")."""
    return _formatted(value, value.tzinfo, get_format(fmt), get_language())
