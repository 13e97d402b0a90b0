"""Plain text and excerpts of knowledge-base articles, from their Markdown.

The HTML itself comes from the shared renderer (``panel1.markdown``); it is re-exported
here for the knowledge base's callers.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from panel1.markdown import render_markdown, sanitize_html

__all__ = ["make_excerpt", "render_markdown", "render_plaintext", "sanitize_html"]


def render_plaintext(body: str) -> str:
    """Convert Markdown to plain text: paragraphs split by blank lines, list items by lines."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(body))
    extractor.close()
    return extractor.text()


def make_excerpt(body: str, length: int = 200) -> str:
    """Return a one-line plain-text excerpt of at most ``length`` characters."""
    if length < 1:
        raise ValueError("length must be positive")
    text = " ".join(render_plaintext(body).split())
    if len(text) <= length:
        return text
    head = text[: length - 1]  # leave room for the ellipsis
    if not text[length - 1].isspace() and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-") + "\u2026"


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = _HEADINGS | {"p", "div", "blockquote", "pre", "table", "hr", "ul", "ol"}
_LINE_TAGS = {"li", "tr"}
_WHITESPACE_RE = re.compile(r"\s+")
_LINE_BREAK = "\x00"  # survives whitespace collapsing; becomes "\n" at the end


class _TextExtractor(HTMLParser):
    """Turn sanitized HTML into readable plain text.

    Text is gathered into blocks; block elements flush it. Blocks of the same list
    or table are joined by a newline, everything else by a blank line.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (structure, text): structure numbers one top-level list or table, None is prose.
        self._blocks: list[tuple[int | None, str]] = []
        self._structures = 0
        self._buffer: list[str] = []
        self._pre_depth = 0
        self._lists: list[int | None] = []  # None for <ul>, the next number for <ol>
        self._tables = 0
        self._cells = 0
        self._prefix = ""  # a list bullet waiting for the item's first text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS or tag in _LINE_TAGS:
            self._flush()
        if tag == "pre":
            self._pre_depth += 1
        elif tag in ("ul", "ol"):
            self._enter_structure()
            self._lists.append(self._list_start(tag, attrs))
        elif tag == "li":
            self._prefix = self._bullet()
        elif tag == "table":
            self._enter_structure()
            self._tables += 1
        elif tag == "tr":
            self._cells = 0
        elif tag in ("td", "th"):
            if self._cells:
                self._buffer.append(" | ")
            self._cells += 1
        elif tag == "br":
            self._buffer.append(_LINE_BREAK)
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._buffer.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS or tag in _LINE_TAGS:
            self._flush()
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        elif tag == "table":
            self._tables = max(0, self._tables - 1)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()

    def handle_data(self, data: str) -> None:
        if self._pre_depth:
            data = data.replace("\n", _LINE_BREAK)
        self._buffer.append(data)

    def text(self) -> str:
        self._flush()
        parts: list[str] = []
        previous: int | None = None
        for structure, block in self._blocks:
            if parts:
                same = structure is not None and structure == previous
                parts.append("\n" if same else "\n\n")
            parts.append(block)
            previous = structure
        return "".join(parts)

    def _flush(self) -> None:
        raw = "".join(self._buffer)
        self._buffer = []
        if self._pre_depth:
            lines = raw.strip("\n" + _LINE_BREAK).split(_LINE_BREAK)
            text = "\n".join(line.rstrip() for line in lines)
        else:
            lines = _WHITESPACE_RE.sub(" ", raw).split(_LINE_BREAK)
            text = "\n".join(line.strip() for line in lines).strip("\n")
        if text.strip():
            structure = self._structures if self._lists or self._tables else None
            self._blocks.append((structure, self._prefix + text))
            self._prefix = ""

    def _enter_structure(self) -> None:
        if not self._lists and not self._tables:
            self._structures += 1

    def _list_start(self, tag: str, attrs: list[tuple[str, str | None]]) -> int | None:
        if tag == "ul":
            return None
        start = dict(attrs).get("start") or "1"
        return int(start) if start.isdigit() else 1

    def _bullet(self) -> str:
        indent = "  " * max(0, len(self._lists) - 1)
        if not self._lists or self._lists[-1] is None:
            return f"{indent}- "
        number = self._lists[-1]
        self._lists[-1] = number + 1
        return f"{indent}{number}. "
