"""The shared Markdown renderer and HTML sanitizer (panel1.markdown)."""

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest

from panel1.markdown import render_markdown, sanitize_html

ALLOWED_TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th",
    "td", "hr", "span", "div", "sup", "sub",
}  # fmt: skip

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<div><img src=x:alert(alt) onerror=eval(src) alt=0></div>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    "[x]: javascript:alert(1)\n\n[click][x]",
    "[x](vbscript:msgbox(1))",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '![x](http://a.example/b.png "x\\" onerror=\\"alert(1)")',
    '![x](http://a.example/b.png" onerror="alert(1))',
    "![x](javascript:alert(1))",
    '<img src="data:image/svg+xml;base64,PHN2Zy8+">',
    "<javascript:alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--> <img src=x onerror=alert(1)> -->",
    "<details open ontoggle=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="#" onclick="alert(1)">x</a>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<h2 id="x" onmouseover="alert(1)">h</h2>',
    "<input autofocus onfocus=alert(1)>",
    '<code class="language-x onload=alert(1)">y</code>',
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def url_scheme(url: str) -> str | None:
    # The way a browser reads it: tabs and newlines vanish, C0 and spaces are trimmed.
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08 \x0b\x0c")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


def assert_not_executable(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in parse(html):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "srcdoc", "formaction", "action"}, (tag, name)
            assert "javascript:" not in (value or "").lower()
        if "href" in attrs:
            assert url_scheme(attrs["href"] or "") in {None, "http", "https", "mailto"}
        if "src" in attrs:
            assert url_scheme(attrs["src"] or "") in {None, "http", "https"}


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_payload_renders_without_executable_content(payload):
    assert_not_executable(render_markdown(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_html_payload_sanitizes_without_executable_content(payload):
    assert_not_executable(sanitize_html(payload))


def test_payload_list_is_large_enough():
    assert len(XSS_PAYLOADS) >= 25


def test_headings_get_slug_ids_and_duplicates_are_unique():
    html = render_markdown("# Getting started\n\n## Getting started\n\n## Getting started")

    ids = [attrs["id"] for tag, attrs in parse(html) if tag in {"h1", "h2"}]

    assert ids == ["getting-started", "getting-started_1", "getting-started_2"]


def test_heading_ids_keep_unicode_letters():
    html = render_markdown("## Привет мир")

    assert parse(html) == [("h2", {"id": "привет-мир"})]


def test_heading_ids_restart_for_each_document():
    render_markdown("# Intro")

    assert 'id="intro"' in render_markdown("# Intro")


def test_fenced_code_is_escaped_and_keeps_language_class():
    html = render_markdown('```python\nprint("<b>hi</b>")\n```')

    assert '<code class="language-python">' in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert "<b>" not in html


def test_class_is_dropped_except_language_on_code():
    html = sanitize_html('<p class="evil">x</p><code class="hl language-sql">y</code>')

    assert html == '<p>x</p><code class="language-sql">y</code>'


def test_tables_render_with_alignment_but_no_style():
    html = render_markdown("| Name | Qty |\n|:-----|----:|\n| Tea | 2 |")

    tags = [tag for tag, _ in parse(html)]
    assert tags[:2] == ["table", "thead"]
    assert "tbody" in tags
    assert "<td>Tea</td>" in html.replace(' align="left"', "")
    assert 'align="right"' in html
    assert "style" not in html


def test_images_render_with_src_alt_and_title():
    html = render_markdown('![Logo](https://cdn.example.com/logo.png "Our logo")')

    assert parse(html)[1] == (
        "img",
        {"alt": "Logo", "src": "https://cdn.example.com/logo.png", "title": "Our logo"},
    )


@pytest.mark.parametrize(
    "src",
    ["data:image/png;base64,iVBORw0KGgo=", "mailto:a@example.com", "ftp://example.com/a.png"],
)
def test_images_refuse_non_http_sources(src):
    html = render_markdown(f"![x]({src})")

    assert parse(html)[1] == ("img", {"alt": "x"})


def test_relative_image_and_link_urls_are_kept():
    html = render_markdown("![x](/media/a.png) [doc](../faq#refunds)")

    assert 'src="/media/a.png"' in html
    assert 'href="../faq#refunds"' in html


def test_links_get_rel_noopener_noreferrer_nofollow():
    for html in (
        render_markdown("[site](https://example.com) <https://example.org>"),
        sanitize_html('<a href="mailto:help@example.com" rel="opener" target="_blank">m</a>'),
    ):
        links = [attrs for tag, attrs in parse(html) if tag == "a"]
        assert links
        assert all(link["rel"] == "noopener noreferrer nofollow" for link in links)
        assert all("target" not in link for link in links)


def test_ordinary_formatting_survives():
    html = render_markdown("**b** *i* ~~s~~ `c`\n\n> quote\n\n---\n\n3. three\n4. four")

    assert "<strong>b</strong>" in html
    assert "<em>i</em>" in html
    assert "<code>c</code>" in html
    assert "<blockquote>" in html
    assert "<hr>" in html
    assert '<ol start="3">' in html


def test_newlines_do_not_become_breaks():
    assert render_markdown("one\ntwo") == "<p>one\ntwo</p>"


def test_render_is_thread_safe():
    docs = [f"# Title\n\n# Title\n\nBody {n} with [link](https://x.example/{n})" for n in range(40)]
    expected = [render_markdown(doc) for doc in docs]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(render_markdown, docs))

    assert results == expected
