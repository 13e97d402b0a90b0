"""Reading UUIDs from untrusted input (panel1.ids)."""

import uuid

import pytest

from panel1.ids import is_uuid, parse_uuid

SAMPLE = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")


@pytest.mark.parametrize(
    "value",
    [
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        "0f8fad5bd9cb469fa16570867728950e",
        "{0f8fad5b-d9cb-469f-a165-70867728950e}",
        "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
        SAMPLE,
    ],
)
def test_uuid_spellings_parse_to_the_same_uuid(value):
    assert parse_uuid(value) == SAMPLE
    assert is_uuid(value)


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "SUP-2026-00000042", "0f8fad5b-d9cb-469f-a165", 42, 4.2, [], {}, b"\x00"],
)
def test_anything_else_is_none_and_never_raises(value):
    assert parse_uuid(value) is None
    assert not is_uuid(value)


def test_a_uuid_instance_comes_back_unchanged():
    assert parse_uuid(SAMPLE) is SAMPLE
