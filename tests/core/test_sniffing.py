"""Content types from the bytes (panel1.sniffing)."""

import puremagic
import pytest

from panel1 import sniffing
from panel1.sniffing import _identify, sniff_content_type, sniff_declared_mismatch

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
PDF = b"%PDF-1.4\n"
ZIP = b"PK\x03\x04" + b"\0" * 30


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (b"GIF89a" + b"\0" * 16, "image/gif"),
        (b"plain words, nothing magic", "text/plain"),
        ("Grüße".encode(), "text/plain"),
        (b"caf\xe9 \x80 latin-1", "application/octet-stream"),
        (b"text with a NUL \x00 byte", "application/octet-stream"),
        (b"", "text/plain"),
    ],
)
def test_bytes_nobody_described_get_their_own_type(content, expected):
    assert sniff_content_type(content) == expected


def test_only_the_head_of_large_content_is_read():
    assert sniff_content_type(b"a" * 8192 + b"\xff" * 100) == "text/plain"


@pytest.mark.parametrize(
    ("content", "declared", "filename", "expected"),
    [
        (PDF, "application/octet-stream", "a.bin", "application/pdf"),
        (PNG, "image/jpeg", "a.jpg", "image/png"),
        (PNG, "image/png", "a.png", None),  # the bytes agree with the declaration
        (b"BM is how this text starts", "text/plain", "a.txt", None),  # weak match
        (b"plain words", "text/plain", "a.txt", None),  # no signature at all
        (ZIP, "application/zip", "a.zip", None),
        (ZIP, "application/octet-stream", None, "application/zip"),  # a tie, settled
    ],
)
def test_a_declared_type_is_overruled_only_when_the_bytes_are_sure(
    content, declared, filename, expected
):
    assert sniff_declared_mismatch(content, declared, filename) == expected


def _reference(content: bytes) -> list:
    try:
        return puremagic.magic_string(content)
    except (puremagic.PureError, ValueError):
        return []


def _signature_samples() -> list[bytes]:
    samples = [b"", b"plain words", b"\x00" * 40, bytes(range(256)) * 300]
    for row in puremagic.magic_header_array:
        samples.append(b"\x00" * row.offset + row.byte_match + b"x" * 40)
        samples.append(b"A" * row.offset + row.byte_match[:-1])  # one byte short
    for first, options in puremagic.multi_part_dict.items():
        for row in options:
            if row.offset >= 0:
                content = bytearray(row.offset + len(row.byte_match) + 10)
                content[: len(first)] = first
                content[row.offset : row.offset + len(row.byte_match)] = row.byte_match
                samples.append(bytes(content))
            else:
                tail = -(row.offset + len(row.byte_match))
                samples.append(first + b"\x00" * 600 + row.byte_match + b"\x00" * tail)
    samples += [b"text" + row.byte_match for row in puremagic.magic_footer_array]
    return samples


def test_the_signature_index_answers_as_puremagic_does():
    """`_identify` (an index of puremagic's signatures) matches what puremagic itself
    finds, in its order, for every signature it knows."""
    assert sniffing._INDEXABLE  # the index is used, not puremagic's own loop
    for content in _signature_samples():
        assert _identify(content) == _reference(content), content[:40]
