"""Tests for tickets.email.parsing: one expectation row per corpus message.

Pure Python: no Django settings, no database.
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tickets.email import parsing as email_parsing
from tickets.email.parsing import (
    MAX_ATTACHMENTS,
    extract_reply_token,
    extract_ticket_number_candidates,
    parse_message,
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
