"""HTML mail bodies: sanitized for display in the desk, and rendered as plain text."""

from __future__ import annotations

import contextlib
import re
from html import escape as escape_html
from html.parser import HTMLParser

import nh3

from tickets.email.parsing.result import MAX_HTML_NESTING
from tickets.email.parsing.text import WS_RE, normalize_newlines


def sanitize_html(html: str) -> str:
    """Return ``html`` cleaned for display inside the desk (no script, no handlers).

    Markup nested deeper than ``MAX_HTML_NESTING`` (the sanitizer is quadratic in depth)
    comes back as its escaped text rendering in a ``<pre>``.
    """
    if html_nesting_estimate(html or "") > MAX_HTML_NESTING:
        return f"<pre>{escape_html(html_to_text(html))}</pre>"
    return _html_cleaner().clean(html or "")


def html_to_text(html: str) -> str:
    """Render ``html`` as readable plain text; quoted blocks become "> " lines."""
    extractor = _HtmlTextExtractor()
    with contextlib.suppress(Exception):  # a renderer must not fail on hostile markup
        extractor.feed(html or "")
        extractor.close()
    return extractor.result()


_ALLOWED_TAGS = {
    "a", "abbr", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "tt", "u", "ul",
}  # fmt: skip
_CELL_ATTRS = {"colspan", "rowspan", "align", "valign", "width"}
_ALLOWED_ATTRIBUTES = {
    "*": {"style", "dir", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": _CELL_ATTRS,
    "th": _CELL_ATTRS,
    "table": {"width", "border", "cellpadding", "cellspacing", "align"},
    "font": {"color", "face", "size"},
    "ol": {"start"},
}
_ALLOWED_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-align", "text-decoration", "vertical-align", "white-space",
}  # fmt: skip
_DROPPED_CONTENT_TAGS = {
    "script", "style", "title", "noscript", "template", "iframe", "object", "embed", "svg",
    "math", "select", "textarea",
}  # fmt: skip
_LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_IMAGE_SCHEMES = ("http:", "https:", "cid:")
_cleaner: nh3.Cleaner | None = None


def _html_cleaner() -> nh3.Cleaner:
    global _cleaner
    if _cleaner is None:
        _cleaner = nh3.Cleaner(
            tags=_ALLOWED_TAGS,
            clean_content_tags=_DROPPED_CONTENT_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            attribute_filter=_filter_url_attribute,
            url_schemes={"http", "https", "mailto", "tel", "cid"},
            url_relative="deny",
            link_rel="noopener noreferrer",
            filter_style_properties=_ALLOWED_STYLE_PROPERTIES,
            strip_comments=True,
        )
    return _cleaner


def _filter_url_attribute(tag: str, attr: str, value: str) -> str | None:
    """Allow cid: only for images and http(s)/mailto/tel only for links."""
    lowered = value.strip().lower()
    if attr == "src":
        return value if tag == "img" and lowered.startswith(_IMAGE_SCHEMES) else None
    if attr == "href":
        return value if lowered.startswith(_LINK_SCHEMES) else None
    return value


_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template", "svg", "xml"}
_BLOCK_TAGS = {
    "address", "article", "aside", "center", "dd", "div", "dl", "dt", "figure", "footer",
    "form", "header", "li", "main", "nav", "ol", "section", "table", "tr", "ul",
}  # fmt: skip
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}
_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*>")
# Void elements and elements whose end tag may be omitted do not add nesting.
_FLAT_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody", "tfoot",
    "colgroup", "option", "optgroup", "rb", "rt", "rp",
}  # fmt: skip


def html_nesting_estimate(html: str) -> int:
    """Cheap upper bound of element nesting, in one linear scan."""
    depth = peak = 0
    for match in _HTML_TAG_RE.finditer(html):
        if match.group(2).lower() in _FLAT_TAGS or match.group(0).endswith("/>"):
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        peak = max(peak, depth)
    return peak


class _HtmlTextExtractor(HTMLParser):
    """Tiny HTML-to-text renderer: blocks become lines, blockquotes become "> " lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._line: list[str] = []
        self._skip: list[str] = []
        self._pre = 0
        self._quote = 0
        self._links: list[tuple[str, list[str]]] = []
        self._has_text = False
        self._ends_space = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip.append(tag)
        elif tag == "body":
            self._skip = [t for t in self._skip if t not in ("head", "title")]
        elif tag == "br":
            self._newline()
        elif tag in _PARAGRAPH_TAGS or tag in _BLOCK_TAGS:
            self._start_block(tag)
        elif tag in ("td", "th") and self._line:
            self._write(" ")
        elif tag == "a":
            if self._links:  # an <a> start tag closes the open one, as browsers do
                self._end_link()
            self._links.append((dict(attrs).get("href") or "", []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            if tag in self._skip:
                del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag)]
        elif tag in _PARAGRAPH_TAGS:
            self._paragraph_break()
            if tag == "pre":
                self._pre = max(self._pre - 1, 0)
            elif tag == "blockquote":
                self._quote = max(self._quote - 1, 0)
        elif tag in _BLOCK_TAGS:
            self._break()
        elif tag == "a" and self._links:
            self._end_link()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            for index, chunk in enumerate(normalize_newlines(data).split("\n")):
                if index:
                    self._newline()
                self._write(chunk)
            return
        text = WS_RE.sub(" ", data.replace("\xa0", " "))
        if not self._line or self._ends_space:
            text = text.lstrip(" ")
        self._write(text)

    def _start_block(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._paragraph_break()
        else:
            self._break()
        if tag == "pre":
            self._pre += 1
        elif tag == "blockquote":
            self._quote += 1
        elif tag == "li":
            self._write("- ")

    def _end_link(self) -> None:
        href, text_parts = self._links.pop()
        text = "".join(text_parts).strip()
        if href.lower().startswith(("http://", "https://")) and href not in text:
            self._write(f" ({href})" if text else href)

    def _write(self, text: str) -> None:
        if not text:
            return
        self._line.append(text)
        self._has_text = self._has_text or bool(text.strip())
        self._ends_space = text.endswith(" ")
        for _href, parts in self._links:
            parts.append(text)

    def _newline(self) -> None:
        prefix = "> " * self._quote
        self._lines.append((prefix + "".join(self._line)).rstrip())
        self._reset_line()

    def _break(self) -> None:
        if self._has_text:
            self._newline()
        self._reset_line()

    def _reset_line(self) -> None:
        self._line = []
        self._has_text = False
        self._ends_space = False

    def _paragraph_break(self) -> None:
        self._break()
        blank = ">" * self._quote
        if self._lines and self._lines[-1].replace(" ", "") != blank:
            self._lines.append(blank)

    def result(self) -> str:
        self._break()
        text = "\n".join(self._lines)
        text = re.sub(r"\n(?:[ >]*\n){2,}", "\n\n", text)
        return re.sub(r"^(?:[ >]*\n)+|(?:\n[ >]*)+$", "", text)
