"""parse_message on broken, hostile and odd input: it never raises but on empty input."""

import email
import email.policy
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tickets.email.parsing import (
    EmailParseError,
    ParsedEmail,
    parse_message,
)

from .conftest import CORPUS


def _parse_corpus(name: str) -> ParsedEmail:
    return parse_message((CORPUS / name).read_bytes())


# --------------------------------------------------------------------------
# parse_message robustness
# --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \r\n\t\n"])
def test_empty_input_raises_email_parse_error(raw):
    with pytest.raises(EmailParseError):
        parse_message(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x01\x02\xff\xfe",
        b"no headers at all, just text",
        b"Subject: only a header",
        b"From: <<<>>>\nTo: ,,,@@@\nDate: yesterday-ish\nMessage-ID: <\n\nbody",
        b"Content-Type: multipart/mixed\n\nno boundary parameter",
        b'Content-Type: text/plain; charset=""\n\nempty charset',
        b"Content-Type: text/plain; charset=unicode_escape\n\n\\x41 stays literal",
        b"Content-Transfer-Encoding: base64\n\n!!!! not base64 ????",
        b"Content-Type: message/rfc822\n\n",
    ],
)
def test_malformed_input_yields_a_parsed_email_instead_of_raising(raw):
    parsed = parse_message(raw)

    assert isinstance(parsed, ParsedEmail)


def test_backslash_escape_codecs_are_not_treated_as_charsets():
    raw = b"Content-Type: text/plain; charset=unicode_escape\n\nC:\\new\\x41"

    parsed = parse_message(raw)

    assert parsed.text == "C:\\new\\x41"
    assert any("unknown charset" in defect for defect in parsed.defects)


def test_us_ascii_label_on_utf8_bytes_decodes_as_utf8_with_a_defect():
    raw = "Content-Type: text/plain; charset=us-ascii\n\nGrüße".encode()

    parsed = parse_message(raw)

    assert parsed.text == "Grüße"
    assert parsed.attachments == []
    assert any("decoded as UTF-8" in defect for defect in parsed.defects)


def test_text_without_charset_falls_back_to_windows_1252():
    parsed = parse_message(b"Subject: x\n\nCaf\xe9 \x80")

    assert parsed.text == "Café €"
    assert any("windows-1252" in defect for defect in parsed.defects)


def test_nul_characters_are_removed_from_text():
    parsed = parse_message(b"Content-Type: text/plain; charset=utf-8\n\nab\x00cd")

    assert parsed.text == "abcd"
    assert any("NUL" in defect for defect in parsed.defects)


def test_compat32_is_used_when_the_modern_policy_fails(monkeypatch):
    real = email.message_from_bytes

    def failing_modern(data, policy):
        if policy is not email.policy.compat32:  # the modern one fails
            raise RuntimeError("boom")
        return real(data, policy=policy)

    monkeypatch.setattr(email, "message_from_bytes", failing_modern)

    parsed = _parse_corpus("04_quoted_printable.eml")

    assert parsed.from_name == "Jörg Schröder"
    assert parsed.subject == "Upload schlägt fehl"
    assert "Grüße aus München!" in parsed.text
    assert any("parsed with compat32" in defect for defect in parsed.defects)


def test_each_header_of_a_message_is_parsed_once(monkeypatch):
    from tickets.email.parsing import message as message_module

    parsed_headers = []
    policy = message_module._MEMO_POLICY
    registry = policy.header_factory

    def counting(name, value):
        parsed_headers.append((name, value))
        return registry(name, value)

    monkeypatch.setattr(message_module, "_MEMO_POLICY", policy.clone(header_factory=counting))

    parsed = _parse_corpus("11_attachments_pdf_png_txt.eml")

    assert len(parsed.attachments) == 3
    assert parsed_headers and len(parsed_headers) == len(set(parsed_headers))


def test_raw_text_is_kept_when_no_parser_can_read_the_message(monkeypatch):
    def always_failing(data, policy):
        raise RecursionError("too deep")

    monkeypatch.setattr(email, "message_from_bytes", always_failing)

    parsed = parse_message(b"Subject: =?utf-8?q?Hi=0Athere?=\n\nbody text")

    assert parsed.subject == "Hi there"
    assert parsed.text == "body text"
    assert any("parser failed" in defect for defect in parsed.defects)


def test_undeclared_boundary_in_multipart_is_reported_not_raised():
    parsed = parse_message(b"Content-Type: multipart/mixed\n\nplain words only\n")

    assert parsed.text == "plain words only\n"
    assert parsed.defects


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.binary(min_size=1, max_size=2000))
def test_random_bytes_never_raise_anything_but_empty_input_error(raw):
    try:
        parsed = parse_message(raw)
    except EmailParseError:
        assert not raw.strip()
        return
    assert "\n" not in parsed.subject


_CORPUS_BYTES = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.sampled_from(_CORPUS_BYTES),
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=0, max_value=400),
    st.binary(max_size=40),
)
def test_truncated_or_spliced_corpus_messages_never_raise(raw, cut, skip, junk):
    mutated = raw[:cut] + junk + raw[cut + skip :]
    if not mutated.strip():
        return

    parsed = parse_message(mutated)

    assert "\r" not in parsed.subject and "\n" not in parsed.subject


# --------------------------------------------------------------------------
# Headers, names and structure
# --------------------------------------------------------------------------


def test_date_without_zone_is_made_aware():
    parsed = parse_message(b"Date: Mon, 02 Mar 2026 09:15:00 -0000\n\nx")

    assert parsed.date == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def test_unparseable_date_is_a_defect():
    parsed = parse_message(b"Date: the day after tomorrow\n\nx")

    assert parsed.date is None
    assert any("unparseable Date" in defect for defect in parsed.defects)


def test_deeply_nested_html_mail_is_reported_and_still_readable():
    raw = b"Content-Type: text/html; charset=utf-8\n\n" + b"<div>" * 5000 + b"deep text"

    parsed = parse_message(raw)

    assert parsed.text == "deep text"
    assert parsed.html == "<pre>deep text</pre>"
    assert any("HTML nested deeper" in defect for defect in parsed.defects)


def test_forwarded_message_attachment_is_a_complete_message_of_its_own():
    forwarded = _parse_corpus("10_forwarded_rfc822.eml").attachments[0]

    inner = parse_message(forwarded.content)

    assert inner.subject == "Your account was locked"
    assert inner.from_email == "security@phisher.example"
    assert "INNER FORWARDED LINE" in inner.text


def test_bidi_overrides_and_line_breaks_are_removed_from_names_and_subjects():
    raw = (
        b"From: =?utf-8?q?Support=E2=80=AE_Team=0D=0A?= <s@x.example>\n"
        b"Subject: =?utf-8?q?Invoice=E2=80=AEfdp.exe=0AX-Evil:_1?=\n\nx"
    )

    parsed = parse_message(raw)

    assert parsed.from_name == "Support Team"
    assert parsed.subject == "Invoicefdp.exe X-Evil: 1"


@pytest.mark.parametrize(
    "address", ['"a,b"@x.example', "a@b@", "no-at-sign", "<@x.example>", "a b@x.example"]
)
def test_unsafe_or_incomplete_addresses_are_dropped(address):
    parsed = parse_message(f"To: {address}\n\nx".encode())

    assert parsed.to == []


def test_calendar_part_without_a_name_gets_an_ics_file_name():
    raw = (
        b"Content-Type: multipart/alternative; boundary=B\n\n--B\nContent-Type: text/plain\n\n"
        b"Invite\n--B\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\n--B--\n"
    )

    parsed = parse_message(raw)

    assert parsed.text == "Invite"
    assert [a.filename for a in parsed.attachments] == ["attachment-1.ics"]


def test_utf8_byte_order_mark_is_not_part_of_the_text():
    parsed = parse_message(b"Content-Type: text/plain; charset=utf-8\n\n\xef\xbb\xbfHello")

    assert parsed.text == "Hello"
