"""`desk.dates.date_format` (remembered per instant, zone, format and language) prints what
Django's `date_format` prints."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation

from desk.dates import date_format

INSTANT = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 in Berlin, then the DST switch


@pytest.mark.parametrize("fmt", ["DATETIME_FORMAT", "D j M, H:i", "T", "Y-m-d H:i", "c"])
@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_dates_print_as_djangos_date_format(fmt, language):
    with translation.override(language):
        for zone in (UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")):
            local = INSTANT.astimezone(zone)
            for _ in range(2):
                assert date_format(local, fmt) == formats.date_format(local, fmt)


def test_the_same_instant_in_two_zones_or_languages_is_two_texts():
    berlin = INSTANT.astimezone(ZoneInfo("Europe/Berlin"))
    assert berlin == INSTANT  # equal (and equal hashes): the zone is part of the key
    assert date_format(berlin, "H:i T") != date_format(INSTANT, "H:i T")
    with translation.override("de"):
        german = date_format(INSTANT, "D j F")
    with translation.override("en"):
        english = date_format(INSTANT, "D j F")
    assert german != english
