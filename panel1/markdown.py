"""Markdown to sanitized HTML: the one renderer for everything user-written shown as HTML.

Knowledge-base articles and ticket messages share it. Markdown is converted first, raw HTML
inside it included, and the result is sanitized last with one policy (``_CLEANER``), so
nothing the Markdown layer lets through can bypass the policy.
"""

from __future__ import annotations

import re
import threading

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

__all__ = ["render_markdown", "sanitize_html"]

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_ALLOWED_TAGS = _HEADINGS | {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td", "hr", "span", "div",
    "sup", "sub",
}  # fmt: skip
# Dropped together with their text: their content is code or chrome, never prose.
_CLEAN_CONTENT_TAGS = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg",
    "math", "textarea", "select", "title", "xmp", "noembed", "noframes",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    **{tag: {"id"} for tag in _HEADINGS},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "ol": {"start"},
}
# Table alignment as an attribute, so no ``style`` attribute is ever needed.
_ALIGN_VALUES = {"left", "center", "right"}
_TAG_ATTRIBUTE_VALUES = {"th": {"align": _ALIGN_VALUES}, "td": {"align": _ALIGN_VALUES}}
_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "noopener noreferrer nofollow"

# Heading ids are slug-shaped (what the toc extension generates); anything else in
# hand-written HTML is dropped rather than trusted, to limit DOM clobbering.
_ID_RE = re.compile(r"[\w-]{1,100}")
_LANGUAGE_CLASS_RE = re.compile(r"language-[\w#.+-]{1,40}")
_DIMENSION_RE = re.compile(r"\d{1,5}%?")
_START_RE = re.compile(r"\d{1,9}")
_SCHEME_RE = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "id":
        return value if _ID_RE.fullmatch(value) else None
    if attr == "class":
        languages = [c for c in value.split() if _LANGUAGE_CLASS_RE.fullmatch(c)]
        return languages[0] if languages else None
    if attr in ("width", "height"):
        return value if _DIMENSION_RE.fullmatch(value.strip()) else None
    if attr == "start":
        return value if _START_RE.fullmatch(value.strip()) else None
    if tag == "img" and attr == "src":
        # mailto: is fine for a link but meaningless for an image.
        match = _SCHEME_RE.match(value)
        if match and match.group(1).lower() not in ("http", "https"):
            return None
    return value


_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    tag_attribute_values=_TAG_ATTRIBUTE_VALUES,
    url_schemes=_URL_SCHEMES,
    link_rel=_LINK_REL,
    strip_comments=True,
)

# markdown.Markdown keeps per-document state, so each thread gets its own instance.
_local = threading.local()


def _markdown(hard_breaks: bool = False) -> markdown.Markdown:
    attr = "md_breaks" if hard_breaks else "md"
    md = getattr(_local, attr, None)
    if md is None:
        md = markdown.Markdown(
            extensions=[
                "fenced_code",
                "tables",
                "sane_lists",
                "toc",
                *(["nl2br"] if hard_breaks else []),
            ],
            extension_configs={
                "tables": {"use_align_attribute": True},
                # No [TOC] marker and no permalink: only the heading ids are wanted.
                "toc": {"marker": "", "permalink": False, "slugify": slugify_unicode},
            },
            output_format="html",
        )
        setattr(_local, attr, md)
    return md


def sanitize_html(html: str) -> str:
    """Return ``html`` reduced to the article formatting policy."""
    return _CLEANER.clean(html)


def render_markdown(body: str, *, hard_breaks: bool = False) -> str:
    """Convert Markdown to sanitized HTML; headings get unique slug ids. `hard_breaks` keeps
    every line break (messages: "Thanks,\nAlice" is two lines, as the writer sees it)."""
    md = _markdown(hard_breaks)
    try:
        html = md.convert(body or "")
    finally:
        md.reset()
    return sanitize_html(html)
