"""The parsing helpers: ticket numbers, reply tokens, reply text, HTML, attachment names."""

import pytest

from tickets.email.parsing import (
    content_type_for,
    extract_reply_text,
    extract_reply_token,
    extract_ticket_number_candidates,
    html_to_text,
    parse_message,
    sanitize_filename,
    sanitize_html,
)

from .conftest import CORPUS


def _parse_corpus(name: str):
    return parse_message((CORPUS / name).read_bytes())


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


def test_reply_text_keeps_long_lines_whole_when_cutting_history():
    long_line = "word " * 400
    text = f"{long_line}\n\nOn Mon, 2 Mar 2026, Support wrote:\n> old"

    assert extract_reply_text(text) == long_line.rstrip()


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


def test_sanitize_html_renders_pathologically_nested_markup_as_escaped_text():
    cleaned = sanitize_html("<div>" * 5000 + "<script>alert(1)</script>deep &amp; <i>x</i>")

    assert cleaned == "<pre>deep &amp; x</pre>"


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


# --------------------------------------------------------------------------
# Headers parsed once per process
# --------------------------------------------------------------------------


def _two_part_mail(n: int, charset: str) -> bytes:
    return (
        f"From: a{n}@customer.test\r\nTo: support@helpdesk.test\r\nSubject: s{n}\r\n"
        f"Message-ID: <shared-{n}@customer.test>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="b-{n}"\r\n\r\n'
        f"--b-{n}\r\nContent-Type: text/plain; charset={charset}\r\n\r\nHello {n}\r\n"
        f"--b-{n}\r\nContent-Type: application/pdf\r\n"
        f'Content-Disposition: attachment; filename="r{n}.pdf"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b-{n}--\r\n"
    ).encode()


def test_part_headers_are_shared_between_mails_but_a_multipart_boundary_is_not():
    from tickets.email.parsing.message import _SHARED_MEMO

    first = parse_message(_two_part_mail(1, "utf-8"))
    second = parse_message(_two_part_mail(2, "utf-8"))
    latin = parse_message(_two_part_mail(3, "iso-8859-1"))
    assert (first.text, second.text, latin.text) == ("Hello 1", "Hello 2", "Hello 3")
    assert [a.filename for a in (*first.attachments, *second.attachments)] == ["r1.pdf", "r2.pdf"]
    assert all(a.content_type == "application/pdf" for a in second.attachments)
    shared = {(name.lower(), value) for name, value in _SHARED_MEMO}
    assert ("content-type", "text/plain; charset=utf-8") in shared
    assert ("content-type", "text/plain; charset=iso-8859-1") in shared
    assert not any("multipart/" in value for _name, value in shared)


def _mailbox_lists(count: int) -> list[str]:
    import random

    rnd = random.Random(21)
    atext = "abcXYZ0189!#$%&'*+/=?^_`{|}~-"

    def dot_atom() -> str:
        atoms = ["".join(rnd.choice(atext) for _ in range(rnd.randrange(1, 5))) for _ in "ab"]
        text = ".".join(atoms[: rnd.randrange(1, 3)])
        return rnd.choice([text, text, text, "." + text, text + ".", text.replace(".", "..")])

    def space() -> str:
        return rnd.choice(["", "", " ", "  ", "\t", "\r\n "])

    def mailbox() -> str:
        address = f"{dot_atom()}@{dot_atom()}"
        if rnd.random() < 0.5:
            return space() + address + space()
        name = space().join(rnd.choice(["Alice", "Bob", "Q", "x1", "2"]) for _ in "abc")
        return f"{space()}{name or 'A'}{space()}<{address}>{space()}"

    return [",".join(mailbox() for _ in range(rnd.randrange(1, 4))) for _ in range(count)]


@pytest.mark.parametrize(
    "value",
    [
        "support@helpdesk.test",
        "Alice  Smith <alice@customer.test>, bob@customer.test",
        "=?utf-8?q?x?=@customer.test",  # an encoded word: the parser's
        '"Smith, Alice" <alice@customer.test>',
        "alice@customer.test.",
        "undisclosed-recipients:;",
    ],
)
def test_plain_mailboxes_are_read_as_the_header_parser_reads_them(value):
    _assert_read_as_the_parser_reads(value)


def test_generated_mailbox_lists_are_read_as_the_header_parser_reads_them():
    values = _mailbox_lists(3000)
    for value in values:
        _assert_read_as_the_parser_reads(value)


def _assert_read_as_the_parser_reads(value: str) -> None:
    from email.headerregistry import HeaderRegistry

    from tickets.email.parsing.headers import simple_addresses

    fast = simple_addresses([value])
    if fast is not None:
        header = HeaderRegistry()("To", value.replace("\r", "").replace("\n", ""))
        assert fast == [(a.display_name, a.addr_spec) for a in header.addresses], value


# --------------------------------------------------------------------------
# Header-block shortcuts: the same answers as the email package's parser
# --------------------------------------------------------------------------

_HEAD_CASES = [
    b"Message-ID: <a@b>\n",
    b"message-id:   <x@y>  \r\n\r\nbody",
    b"Subject: x\nMessage-ID:\n <folded@x>\n\tmore\n\nbody",
    b"From someone\nMessage-ID: <a@b>\n\n",
    b"Message-ID : <a@b>\n\n",
    b": x\nMessage-ID: <a@b>\n\n",
    b" continued\nMessage-ID: <c@d>\n\n",
    b"X: 1\rMessage-ID: <e@f>\n\n",
    b"Message-ID: <\x00z@y>\n\n",
    b"Message-ID: <a@b>\nMessage-ID: <c@d>\n\n",
    b"",
    b"\n\nMessage-ID: <a@b>",
    b"Message-ID: <caf\xc3\xa9@x>\n\n",
    b"Message-ID: <a\x1fb@x>\n\n",
    b"Message-ID: a@b c@d\n\n",
    b"X-Message-ID: <a@b>\nMessage-ID: <q@w>\n\n",
    b"Received: from a\r\n\tby b\r\nMessage-ID: <r@s>\r\nDKIM-Signature: v=1\r\n\r\nbody\r\n",
    b"Received: \t\n\tby c\nReceived: from d ([192.0.2.1])\n"
    b"Return-Path: <x@y>\nReturn-Path: <z@w>\n\n",
    b"Return-Path:\n\n",
]


def _head_cases() -> list[bytes]:
    return _HEAD_CASES + [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]


def test_the_stored_message_id_is_the_parsers():
    from email.parser import BytesHeaderParser
    from email.policy import compat32

    from tickets.email.storage import header_message_id

    for raw in _head_cases():
        end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=-1)
        head = raw[: end if end >= 0 else len(raw)]
        value = BytesHeaderParser(policy=compat32).parsebytes(head).get("Message-ID") or ""
        expected = "".join(str(value).split()).replace("\x00", "").strip("<>")
        assert header_message_id(raw) == expected, raw[:80]


def test_sender_checks_read_the_same_headers_from_the_header_block():
    from email.parser import BytesHeaderParser
    from email.policy import compat32

    import dkim

    from tickets.email.sender_auth import _may_be_dkim_signed, _routing_headers, header_block

    cases = _head_cases() + [b"Subject: a\r\rReceived: x\n\nbody", b"A: b\n\r\nC: d\n\n"]
    for raw in cases:
        whole = BytesHeaderParser(policy=compat32).parsebytes(raw)
        block = BytesHeaderParser(policy=compat32).parsebytes(header_block(raw))
        assert block.items() == whole.items(), raw[:80]
        received = [str(value) for value in whole.get_all("Received") or []]
        assert _routing_headers(raw) == (received, str(whole.get("Return-Path") or ""))
        try:
            signed = any(k.lower() == b"dkim-signature" for k, _v in dkim.DKIM(raw).headers)
        except Exception:  # dkimpy fails on some broken blocks (IndexError too): unsigned
            signed = False
        assert not signed or _may_be_dkim_signed(raw), raw[:80]
