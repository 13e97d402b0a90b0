"""Serializer fields that apply panel1.text's rules and the database's limits.

The parsers already normalize newlines and refuse control characters in request bodies; these
fields do it again for data that arrives some other way (query parameters, services called
with `serializer(data=...)`), strip bidi tricks from one-line values, and carry the length
limits of the columns they end up in.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from rest_framework import serializers

from panel1.text import CONTROL_MESSAGE, clean_one_line, has_controls, normalize_newlines

EMAIL_MAX_LENGTH = 254
# Dates the statistics and the SLA calendar can represent with room for time zones and
# "end of day" arithmetic; anything outside is a typo or a probe.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)


class TextField(serializers.CharField):
    """Multi-line text: newlines normalized, control characters refused."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            if has_controls(data):
                raise serializers.ValidationError(CONTROL_MESSAGE)
            data = normalize_newlines(data)
        return super().to_internal_value(data)


class OneLineField(serializers.CharField):
    """A subject, name or tag: no controls, no bidi overrides or zero-width spaces."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            if has_controls(data.replace("\n", " ").replace("\t", " ")):
                raise serializers.ValidationError(CONTROL_MESSAGE)
            data = clean_one_line(data)
        return super().to_internal_value(data)


class EmailField(serializers.EmailField):
    """An address that fits the database's email columns (RFC 5321: 254 characters)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and has_controls(data):
            raise serializers.ValidationError(CONTROL_MESSAGE)
        return super().to_internal_value(data)


class DateField(serializers.DateField):
    """A calendar date between 1900-01-01 and 2199-12-31."""

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not DATE_MIN <= date <= DATE_MAX:
            raise serializers.ValidationError(
                _("Use a date between %(value)s and %(value2)s.")
                % {"value": DATE_MIN.isoformat(), "value2": DATE_MAX.isoformat()}
            )
        return date
