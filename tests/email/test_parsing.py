"""Tests for tickets.email.parsing: one expectation row per corpus message, then the helpers.

Pure Python: no Django settings, no database.
"""

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tickets.email import parsing as email_parsing
from tickets.email.parsing import (
    MAX_ATTACHMENTS,
    EmailParseError,
    content_type_for,
    extract_reply_text,
    extract_reply_token,
    extract_ticket_number_candidates,
    html_to_text,
    parse_message,
    sanitize_filename,
    sanitize_html,
)

CORPUS = Path(__file__).parent / "email_corpus"
CET = timezone(timedelta(hours=1))
MAR_2_0915 = datetime(2026, 3, 2, 9, 15, tzinfo=CET)

# filename -> expected outcome. Plain keys compare a ParsedEmail attribute for equality;
# the others are checked by check_expectation() below:
#   attachments: [(filename, content_type, declared_content_type, inline, content_id)]
#   attachment_count, text_contains, text_excludes, has_html, html_contains, html_excludes,
#   defects_contain (substrings; [] means "no defects at all"), ticket_numbers, reply_token
EXPECTED: dict[str, dict] = {
    "01_plain_simple.eml": {
        "message_id": "CAF1234.alice@mail.customer.example",
        "from_email": "alice@customer.example",
        "from_name": "Alice Example",
        "to": ["support@acme.example"],
        "delivered_to": ["support@acme.example"],
        "return_path": "alice@customer.example",
        "subject": "Printer on floor 3 does not print",
        "date": MAR_2_0915,
        "text": (
            'Hello,\n\nthe printer on floor 3 shows "paper jam" but there is no paper stuck.\n'
            "We already restarted it twice.\n\nRegards\nAlice\n"
        ),
        "has_html": False,
        "attachments": [],
        "auto_submitted_reason": None,
        "is_bounce": False,
        "defects_contain": [],
    },
    "02_multipart_alternative.eml": {
        "from_email": "bob@builder.example",
        "from_name": "Bob Builder",
        "cc": ["carol@builder.example", "dave@builder.example"],
        "reply_to": ["helpdesk-replies@builder.example"],
        "subject": "VPN drops every 10 minutes",
        "text": "Hi team,\n\nour VPN connection drops every 10 minutes since the update.\n\nBob\n",
        "has_html": True,
        "html_contains": [
            "<b>VPN</b>",
            '<a href="https://status.builder.example/vpn" rel="noopener noreferrer">status</a>',
        ],
        "html_excludes": ["<script", "alert", "onclick", "javascript:", "<style", "color:red"],
        "attachments": [],
        "auto_submitted_reason": None,
        "defects_contain": [],
    },
    "03_html_only.eml": {
        "from_email": "erin@shop.example",
        "subject": "Invoice question",
        "text": (
            "Hello,\nI was charged twice for invoice INV-2026-17:\n- first charge on 1 March\n"
            "- second charge on 2 March\n\nPlease see the invoice (https://shop.example/invoices/17)."
            "\n\nThanks & best,\nErin"
        ),
        "text_excludes": ["Invoice mail", "display:none"],
        "has_html": True,
        "html_contains": [
            "<strong>INV-2026-17</strong>",
            '<img src="https://tracker.example/pixel.gif">',
        ],
        "html_excludes": ["onerror", "<iframe", "<title", "display:none"],
        "attachments": [],
        "defects_contain": [],
    },
    "04_quoted_printable.eml": {
        "from_email": "joerg@firma.example",
        "from_name": "Jörg Schröder",
        "subject": "Upload schlägt fehl",
        "text_contains": [
            "Grüße aus München!",
            "sobald sie größer als 10 MB ist. Das passiert seit gestern",
            "Zeichen: é è ê – “Anführungszeichen” €\n",
        ],
        "text_excludes": ["=C3", "=\n"],
        "has_html": False,
        "attachments": [],
        "defects_contain": [],
    },
    "05_base64_text.eml": {
        "from_email": "frank@mobile.example",
        "from_name": "",
        "subject": "Sent from my phone",
        "text": "Base64 body line one.\nLine two with ümlaut and emoji \U0001f5a8.\n",
        "attachments": [],
        "defects_contain": [],
    },
    "06_iso_8859_1.eml": {
        "from_email": "francois@societe.example",
        "from_name": "François Lefèvre",
        "subject": "Serveur inaccessible à Paris",
        "text_contains": ["Merci de vérifier.", "François Lefèvre\n"],
        "reply_text": (
            "Bonjour,\n\nle serveur de fichiers est inaccessible depuis ce matin. "
            "Merci de vérifier."
        ),
        "attachments": [],
        "defects_contain": [],
    },
    "07_iso_2022_jp.eml": {
        "from_email": "yamada@kaisha.example",
        "from_name": "山田太郎",
        "subject": "プリンターの故障",
        "text": "お世話になっております。\nプリンターが動きません。\n至急ご確認をお願いします。\n",
        "attachments": [],
        "defects_contain": [],
    },
    "08_rfc2047_utf8_headers.eml": {
        "from_email": "zoe@nordic.example",
        "from_name": "Zoë Ångström",
        "subject": "Bestellung Nr. 42 – Lieferung verspätet 🚚",
        "text": "Where is my order?\n",
        "defects_contain": [],
    },
    "09_windows_1252.eml": {
        "from_email": "gina@legacy.example",
        "text": "Hi,\n\nthe “Save” button costs €5 per click – that’s odd.\n",
        "attachments": [],
        "defects_contain": [],
    },
    "10_forwarded_rfc822.eml": {
        "from_email": "henry@customer.example",
        "subject": "Fwd: Your account was locked",
        "text": "Is this mail from you? It looks like phishing.\n",
        "text_excludes": ["INNER FORWARDED LINE", "phisher.example"],
        "attachments": [
            ("forwarded-message.eml", "message/rfc822", "message/rfc822", True, None),
        ],
        "defects_contain": [],
    },
    "11_attachments_pdf_png_txt.eml": {
        "text": "See the attached report, screenshot and log.\n",
        "attachments": [
            ("report.pdf", "application/pdf", "application/octet-stream", False, None),
            ("screenshot.png", "image/png", "image/png", False, None),
            ("app.log", "text/plain", "text/plain", False, None),
        ],
        "defects_contain": [],
    },
    "12_inline_image_cid.eml": {
        "text": "The logo looks like this:\n\n[image: logo.png]\n",
        "has_html": True,
        "html_contains": ['<img src="cid:logo123@apple.example" alt="logo">'],
        "attachments": [("logo.png", "image/png", "image/png", True, "logo123@apple.example")],
        "defects_contain": [],
    },
    "13_missing_message_id.eml": {
        "message_id": None,
        "from_email": "kim@customer.example",
        "text": "My client did not add a Message-ID.\n",
        "defects_contain": ["no Message-ID header"],
    },
    "14_missing_from.eml": {
        "message_id": "nofrom-14@relay.example",
        "from_email": None,
        "from_name": "",
        "subject": "Who sent this?",
        "text": "A message without a From header.\n",
        "defects_contain": ["no usable From address"],
    },
    "15_missing_date.eml": {
        "from_email": "leo@customer.example",
        "date": None,
        "text": "A message without a Date header.\n",
        "defects_contain": ["no Date header"],
    },
    "16_malformed_bad_boundary.eml": {
        "from_email": "mia@customer.example",
        "subject": "Broken MIME boundary",
        "text": "The mailer wrote the wrong boundary.",
        "attachments": [],
        "defects_contain": [
            "StartBoundaryNotFoundDefect",
            "recovered parts using 'SOMETHING-ELSE'",
        ],
    },
    "17_truncated_multipart.eml": {
        "text": "This message was cut off in transit.\n",
        "attachment_count": 1,
        "attachments": [("big.pdf", "application/pdf", "application/pdf", False, None)],
        "defects_contain": ["CloseBoundaryNotFoundDefect", "InvalidBase64PaddingDefect"],
    },
    "18_unknown_charset.eml": {
        "subject": "Qapla' strange charset",
        "text": "nuqneH! The screen is blank.\n",
        "attachments": [("attachment-1.txt", "text/plain", "text/plain", False, None)],
        "defects_contain": ["unknown charset 'x-klingon'; kept as attachment"],
    },
    "19_outlook_reply_original_message.eml": {
        "message_id": "DB9PR01MB1234.eurprd01.prod.outlook.com",
        "in_reply_to": ["ticket-7-reply-1@acme.example"],
        "references": ["ticket-7@acme.example", "ticket-7-reply-1@acme.example"],
        "from_email": "paul.smith@corp.example",
        "subject": "RE: [SUP-2026-00000007] Laptop battery",
        "text_contains": ["-----Original Message-----\nFrom: ACME Support", "replacement battery"],
        "text_excludes": ["\r"],
        "reply_text": "Hi,\n\nthe new battery works fine now. You can close the ticket.\n\nPaul",
        "ticket_numbers": ["SUP-2026-00000007"],
        "auto_submitted_reason": None,
        "defects_contain": [],
    },
    "20_gmail_reply_on_wrote.eml": {
        "in_reply_to": ["ticket-88-notify@acme.example"],
        "references": ["ticket-88@acme.example", "ticket-88-notify@acme.example"],
        "text_contains": ["> Hello Quinn,", "wrote:"],
        "reply_text": "The new link worked, thank you!",
        "defects_contain": [],
    },
    "21_signature_dash_dash.eml": {
        "text_contains": ["-- \nRita Ray\n"],
        "reply_text": (
            "Two keys are missing from my keyboard:\n    - the Enter key\n    - the Escape key"
        ),
        "defects_contain": [],
    },
    "22_out_of_office_auto_submitted.eml": {
        "from_email": "sam@customer.example",
        "auto_submitted_reason": "auto-submitted",
        "is_bounce": False,
        "ticket_numbers": ["SUP-2026-00000099"],
        "defects_contain": [],
    },
    "23_precedence_bulk.eml": {
        "auto_submitted_reason": "precedence:bulk",
        "is_bounce": False,
        "defects_contain": [],
    },
    "24_x_autoreply.eml": {
        "auto_submitted_reason": "x-autoreply",
        "defects_contain": [],
    },
    "25_mailing_list_list_id.eml": {
        "to": ["users@lists.vendor.example"],
        "cc": ["support@acme.example"],
        "subject": "[users] Anyone else seeing login errors?",
        "auto_submitted_reason": "list-id",
        "defects_contain": [],
    },
    "26_null_return_path.eml": {
        "from_email": "victor@customer.example",
        "return_path": "",
        "auto_submitted_reason": "null-return-path",
        "is_bounce": False,
        "defects_contain": [],
    },
    "27_dsn_bounce_report.eml": {
        "from_email": "mailer-daemon@mx.acme.example",
        "subject": "Undelivered Mail Returned to Sender",
        "return_path": "",
        "is_bounce": True,
        "bounced_recipients": ["nobody@customer.example"],
        "auto_submitted_reason": "auto-submitted",
        "text_contains": ["could not\nbe delivered", "User unknown"],
        "text_excludes": ["Reporting-MTA", "Final-Recipient"],
        "attachments": [
            (
                "delivery-status.txt",
                "message/delivery-status",
                "message/delivery-status",
                False,
                None,
            ),
            ("attachment-2.eml", "message/rfc822", "text/rfc822-headers", False, None),
        ],
        "defects_contain": [],
    },
    "28_mailer_daemon_bounce_plain.eml": {
        "from_email": "mailer-daemon@mail.customer.example",
        "subject": "failure notice",
        "is_bounce": True,
        "bounced_recipients": ["gone@customer.example"],
        "auto_submitted_reason": "null-return-path",
        "attachments": [],
        "defects_contain": [],
    },
    "29_literal_backslashes_templates.eml": {
        "subject": "Installer path C:\\Users\\new\\test fails",
        "text": (
            "Hi,\n\n"
            "the installer fails in C:\\Users\\new\\test and also in \\\\fileserver\\share\\tmp.\n"
            'The log says: "path\\to\\file" not found; regex ^\\d+\\s*$ and a tab escape \\t.\n'
            "Our template shows {{ ticket_number }} literally and "
            "{% if user.is_staff %}x{% endif %}.\n"
            "Also ${HOME} and %APPDATA% and <not-a-tag> & ampersand.\n"
        ),
        "text_contains": ["C:\\Users\\new\\test", "{{ ticket_number }}", "{% if user.is_staff %}"],
        "defects_contain": [],
    },
    "30_header_injection_subject.eml": {
        "subject": "Help Bcc: victim@example.com body",
        "to": ["support@acme.example"],
        "cc": [],
        "defects_contain": [],
    },
    "31_ticket_number_subject.eml": {
        "subject": "Re: [SUP-2026-00000042] Printer",
        "in_reply_to": ["ticket-42-reply-3@acme.example"],
        "ticket_numbers": ["SUP-2026-00000042"],
        "defects_contain": [],
    },
    "32_plus_address_reply_token.eml": {
        "to": ["support+tk7f3q9x_lm-2ab@acme.example"],
        "delivered_to": ["support+tk7f3q9x_lm-2ab@acme.example"],
        "reply_token": "tk7f3q9x_lm-2ab",
        "defects_contain": [],
    },
    "33_html_xss_payload.eml": {
        "has_html": True,
        "html_contains": [
            "<p>Hello <b>agent</b></p>",
            '<a href="https://docs.acme.example/help" rel="noopener noreferrer">help</a>',
        ],
        "html_excludes": [
            "<script",
            "onerror",
            "onload",
            "javascript:",
            "JaVaScRiPt",
            "data:",
            "<svg",
            "<iframe",
            "<form",
            "<input",
            "position",
            "url(",
            "target=",
        ],  # fmt: skip
        "text_contains": ["Hello agent", "help (https://docs.acme.example/help)"],
        "text_excludes": ["document.cookie"],
        "defects_contain": [],
    },
    "34_x_auto_response_suppress.eml": {
        "auto_submitted_reason": "x-auto-response-suppress",
        "defects_contain": [],
    },
    "35_nested_too_deep.eml": {
        "subject": "Deeply nested MIME",
        "text_excludes": ["DEEPEST TEXT"],
        "defects_contain": ["MIME nesting deeper than 20 levels"],
    },
    "36_too_many_attachments.eml": {
        "text": "Lots of files.",
        "attachment_count": MAX_ATTACHMENTS,
        "defects_contain": ["more than 100 attachments"],
    },
    "37_raw_utf8_headers.eml": {
        "from_name": "Ümit Çelik",
        "subject": "Şifre sıfırlama çalışmıyor",
        "text": "Şifre sıfırlama bağlantısı çalışmıyor.\n",
        "defects_contain": [],
    },
    "38_hostile_attachment_names.eml": {
        "text": "See files.",
        "attachments": [
            ("fdp.exe", "application/octet-stream", "application/octet-stream", False, None),
            ("passwd", "text/plain", "text/plain", False, None),
            ("C_fakepathinvoice.pdf", "application/pdf", "application/pdf", False, None),
            ("äbc.png", "image/png", "image/jpeg", False, None),
            ("attachment-5.pdf", "application/pdf", "application/octet-stream", False, None),
        ],
        "defects_contain": [],
    },
    "39_invalid_utf8_bytes.eml": {
        "text": "Hall\ufffd fr\ufffdn G\ufffdteborg\n",
        "attachments": [("attachment-1.txt", "text/plain", "text/plain", False, None)],
        "defects_contain": ["bytes are not valid 'utf-8'; kept as attachment"],
    },
    "40_html_gmail_reply.eml": {
        "subject": "Re: [SUP-2026-00000050] Scanner",
        "text_contains": ["> Please install driver 4.2"],
        "reply_text": "The scanner works again after the driver update.",
        "ticket_numbers": ["SUP-2026-00000050"],
        "has_html": True,
        "defects_contain": [],
    },
}

_SPECIAL_KEYS = {
    "attachments",
    "attachment_count",
    "text_contains",
    "text_excludes",
    "has_html",
    "html_contains",
    "html_excludes",
    "defects_contain",
    "ticket_numbers",
    "reply_token",
}


def _parse_corpus(name: str) -> email_parsing.ParsedEmail:
    return parse_message((CORPUS / name).read_bytes())


def check_expectation(parsed: email_parsing.ParsedEmail, expected: dict) -> None:
    for key, value in expected.items():
        if key not in _SPECIAL_KEYS:
            assert getattr(parsed, key) == value, key
    _check_attachments(parsed.attachments, expected)
    _check_fragments(parsed.text, expected.get("text_contains"), expected.get("text_excludes"))
    if "has_html" in expected:
        assert (parsed.html is not None) is expected["has_html"]
    if parsed.html is not None:
        html_excludes = [f.lower() for f in expected.get("html_excludes", [])]
        _check_fragments(parsed.html, expected.get("html_contains"), None)
        _check_fragments(parsed.html.lower(), None, html_excludes)
    _check_defects(parsed.defects, expected)
    if "ticket_numbers" in expected:
        assert extract_ticket_number_candidates(parsed.subject) == expected["ticket_numbers"]
    if "reply_token" in expected:
        assert extract_reply_token(parsed.to + parsed.delivered_to) == expected["reply_token"]


def _check_attachments(attachments: list[email_parsing.ParsedAttachment], expected: dict) -> None:
    summary = [
        (a.filename, a.content_type, a.declared_content_type, a.inline, a.content_id)
        for a in attachments
    ]
    listed = expected.get("attachments")
    if listed is not None:
        assert summary[: len(listed)] == listed
    if "attachment_count" in expected or listed is not None:
        assert len(summary) == expected.get("attachment_count", len(listed or []))


def _check_fragments(value: str, contains: list[str] | None, excludes: list[str] | None) -> None:
    assert [f for f in contains or [] if f not in value] == []
    assert [f for f in excludes or [] if f in value] == []


def _check_defects(defects: list[str], expected: dict) -> None:
    if "defects_contain" not in expected:
        return
    if not expected["defects_contain"]:
        assert defects == []
    for fragment in expected["defects_contain"]:
        assert any(fragment in defect for defect in defects), (fragment, defects)


def test_every_corpus_file_has_an_expectation_row():
    on_disk = {path.name for path in CORPUS.glob("*.eml")}

    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 32


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_parses_to_expected_fields(name):
    check_expectation(_parse_corpus(name), EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_meets_safety_invariants(name):
    parsed = _parse_corpus(name)

    single_line = [
        parsed.subject,
        parsed.from_name,
        parsed.message_id or "",
        parsed.return_path or "",
    ]
    single_line += parsed.to + parsed.cc + parsed.delivered_to + parsed.reply_to
    single_line += parsed.in_reply_to + parsed.references + list(parsed.headers.values())
    single_line += [a.filename for a in parsed.attachments]
    single_line += [a.content_id or "" for a in parsed.attachments]
    assert not [value for value in single_line if "\r" in value or "\n" in value]
    assert all("/" not in a.filename and "\\" not in a.filename for a in parsed.attachments)
    assert parsed.date is None or parsed.date.tzinfo is not None
    assert "\x00" not in parsed.text
    assert bool(parsed.reply_text.strip()) is bool(parsed.text.strip())
    assert parsed.html is None or "<script" not in parsed.html.lower()


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

    assert isinstance(parsed, email_parsing.ParsedEmail)


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
        if policy is email.policy.default:
            raise RuntimeError("boom")
        return real(data, policy=policy)

    monkeypatch.setattr(email, "message_from_bytes", failing_modern)

    parsed = _parse_corpus("04_quoted_printable.eml")

    assert parsed.from_name == "Jörg Schröder"
    assert parsed.subject == "Upload schlägt fehl"
    assert "Grüße aus München!" in parsed.text
    assert any("parsed with compat32" in defect for defect in parsed.defects)


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
# Ticket numbers and reply tokens
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: [SUP-2026-00000042] Printer", ["SUP-2026-00000042"]),
        ("re: [sup-2026-00000042] printer", ["SUP-2026-00000042"]),
        ("AW: WG: SUP-2026-00000042 still open", ["SUP-2026-00000042"]),
        ("[ #HD-17 ] login", ["HD-17"]),
        ("Ticket [IT-2025-0007-EU] and HD-5", ["IT-2025-0007-EU", "HD-5"]),
        ("Fwd: [SUP-2026-1] dup SUP-2026-1", ["SUP-2026-1"]),
        ("Printer broken", []),
        ("Order 2026-00000042", []),
        ("", []),
    ],
)
def test_ticket_number_candidates_are_found_bracketed_first_and_uppercased(subject, expected):
    assert extract_ticket_number_candidates(subject) == expected


@pytest.mark.parametrize(
    ("addresses", "expected"),
    [
        (["support+Tk7f3Q9x_Lm-2aB@acme.example"], "Tk7f3Q9x_Lm-2aB"),
        (["ACME <support+abcdefgh@acme.example>"], "abcdefgh"),
        (["a@x.example, ACME <support+abcdefgh12@acme.example>"], "abcdefgh12"),
        (["other@x.example", "support+token_123@acme.example"], "token_123"),
        (["support+short@acme.example"], None),
        (["support+bad.token.here@acme.example"], None),
        (["support+" + "a" * 65 + "@acme.example"], None),
        (["support@acme.example"], None),
        ([], None),
    ],
)
def test_reply_token_comes_from_the_plus_address(addresses, expected):
    assert extract_reply_token(addresses) == expected


def test_reply_token_keeps_its_case_when_read_from_the_raw_header():
    parsed = _parse_corpus("32_plus_address_reply_token.eml")

    assert extract_reply_token([parsed.headers["To"]]) == "Tk7f3Q9x_Lm-2aB"


# --------------------------------------------------------------------------
# Reply extraction
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fixed, thanks.\n\nOn Mon, 2 Mar 2026, Support wrote:\n> old", "Fixed, thanks."),
        ("Works.\n-----Original Message-----\nFrom: a\nSent: b\n\nold", "Works."),
        ("Works.\n\nFrom: Support <s@x>\nSent: Monday\nTo: me\nSubject: hi\n\nold", "Works."),
        ("Answer\n> quoted line\n> another", "Answer"),
        ("Steps:\n- one\n- two\n\n-- \nSig", "Steps:\n- one\n- two"),
        ("Hi,\nThanks, that fixed the login. But the printer still fails.", None),
        ("  indented code\n    deeper\n", "  indented code\n    deeper"),
        ("> only a quote", "> only a quote"),
        ("", ""),
    ],
)
def test_reply_text_strips_quotes_and_signatures(text, expected):
    assert extract_reply_text(text) == (text if expected is None else expected)


def test_reply_text_falls_back_to_text_when_everything_is_quoted():
    text = "On Mon, 2 Mar 2026, Support wrote:\n> everything quoted"

    assert extract_reply_text(text) == text


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def test_html_to_text_renders_blocks_lists_links_and_quotes():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<p>Hello&nbsp;<b>world</b></p><p>a &lt;tag&gt;<br>next</p>"
        "<ul><li>one</li><li>two</li></ul><pre>  code\n    indented</pre>"
        '<a href="https://x.example/">link</a><blockquote>quoted</blockquote>'
        "<script>alert(1)</script></body></html>"
    )

    assert html_to_text(html) == (
        "Hello world\n\na <tag>\nnext\n\n- one\n- two\n\n  code\n    indented\n\n"
        "link (https://x.example/)\n\n> quoted"
    )


@pytest.mark.parametrize(
    "html",
    ["", "<", "<p", "</div></div>", "<style>unclosed", "<a href='x'>unclosed", "&#xffffffff;"],
)
def test_html_to_text_survives_broken_markup(html):
    assert isinstance(html_to_text(html), str)


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="position:fixed;top:0;left:0">overlay</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><input name="pw"><button>go</button></form>',
    '<p onmouseover="alert(1)">hover</p>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    '<img src="https://x.example/a.png" srcset="javascript:alert(1)">',
    '<a href="https://x.example/" target="_blank" rel="opener">x</a>',
    '<a href="/desk/tickets/1/delete">relative</a>',
]
FORBIDDEN_IN_SANITIZED = [
    "<script", "javascript:", "vbscript:", "data:", "onerror", "onload", "onmouseover",
    "<iframe", "<object", "<embed", "<svg", "<math", "<style", "<link", "<meta", "<base",
    "<form", "<input", "position", "url(", "srcset", "target=", "opener\"", "/desk/",
]  # fmt: skip


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitize_html_removes_active_content(payload):
    cleaned = sanitize_html(payload).lower()

    assert not [bad for bad in FORBIDDEN_IN_SANITIZED if bad in cleaned]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hi <b>bold</b> <i>it</i></p>", "<p>Hi <b>bold</b> <i>it</i></p>"),
        (
            '<a href="https://x.example/">x</a>',
            '<a href="https://x.example/" rel="noopener noreferrer">x</a>',
        ),
        (
            '<a href="mailto:a@x.example">m</a>',
            '<a href="mailto:a@x.example" rel="noopener noreferrer">m</a>',
        ),
        ('<img src="cid:logo@x" alt="logo">', '<img src="cid:logo@x" alt="logo">'),
        ('<img src="https://x.example/a.png">', '<img src="https://x.example/a.png">'),
        ('<a href="cid:logo@x">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<span style="color: red; position: fixed">t</span>', '<span style="color:red">t</span>'),
        ("<table><tr><td colspan=2>c</td></tr></table>", None),
        ("<blockquote>q</blockquote><pre>p</pre><ul><li>l</li></ul>", None),
    ],
)
def test_sanitize_html_keeps_basic_formatting_links_and_images(html, expected):
    cleaned = sanitize_html(html)

    if expected is None:
        assert cleaned.replace("<tbody>", "").replace("</tbody>", "") == html.replace("=2", '="2"')
    else:
        assert cleaned == expected


# --------------------------------------------------------------------------
# Attachment names and types
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\invoice.pdf", "invoice.pdf"),
        ("\u202efdp.exe", "fdp.exe"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("..", "attachment-3.png"),
        ("   ", "attachment-3.png"),
        (None, "attachment-3.png"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_sanitize_filename_strips_paths_and_control_characters(name, expected):
    assert sanitize_filename(name, index=3, content_type="image/png") == expected


@pytest.mark.parametrize(
    ("content", "declared", "filename", "expected"),
    [
        (b"%PDF-1.4\n", "application/octet-stream", "a.bin", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 16, "image/jpeg", "a.jpg", "image/png"),
        (b"BM is how this text starts", "text/plain", "a.txt", "text/plain"),
        (b"plain words", "text/plain", "a.txt", "text/plain"),
        (b"PK\x03\x04" + b"\0" * 30, "application/zip", "a.zip", "application/zip"),
        (b"PK\x03\x04" + b"\0" * 30, "application/octet-stream", None, "application/zip"),
        (b"", "", None, "application/octet-stream"),
    ],
)
def test_content_type_is_sniffed_when_puremagic_is_sure(content, declared, filename, expected):
    assert content_type_for(content, declared=declared, filename=filename) == expected


def test_date_without_zone_is_made_aware():
    parsed = parse_message(b"Date: Mon, 02 Mar 2026 09:15:00 -0000\n\nx")

    assert parsed.date == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def test_unparseable_date_is_a_defect():
    parsed = parse_message(b"Date: the day after tomorrow\n\nx")

    assert parsed.date is None
    assert any("unparseable Date" in defect for defect in parsed.defects)


def test_sanitize_html_renders_pathologically_nested_markup_as_escaped_text():
    cleaned = sanitize_html("<div>" * 5000 + "<script>alert(1)</script>deep &amp; <i>x</i>")

    assert cleaned == "<pre>deep &amp; x</pre>"


def test_deeply_nested_html_mail_is_reported_and_still_readable():
    raw = b"Content-Type: text/html; charset=utf-8\n\n" + b"<div>" * 5000 + b"deep text"

    parsed = parse_message(raw)

    assert parsed.text == "deep text"
    assert parsed.html == "<pre>deep text</pre>"
    assert any("HTML nested deeper" in defect for defect in parsed.defects)


def test_reply_text_keeps_long_lines_whole_when_cutting_history():
    long_line = "word " * 400
    text = f"{long_line}\n\nOn Mon, 2 Mar 2026, Support wrote:\n> old"

    assert extract_reply_text(text) == long_line.rstrip()


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
