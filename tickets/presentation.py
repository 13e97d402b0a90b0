"""How messages look on web pages (desk and portal): rendered, sanitized HTML, cached."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe

from panel1.markdown import render_markdown
from tickets.models import Channel, Message

RENDERED_TTL = 7 * 24 * 3600


def message_html(message: Message) -> SafeString:
    """Markdown-lite for text written in the portal, desk or API (sanitized by the KB renderer);
    mail keeps its line breaks as plain, escaped text (mail is not Markdown)."""
    if message.channel == Channel.EMAIL:
        return linebreaks_filter(message.content, autoescape=True)
    return mark_safe(render_markdown(message.content, hard_breaks=True))


def rendered_cache_key(message: Message) -> str:
    digest = hashlib.sha256(message.content.encode()).hexdigest()[:16]
    return f"portal:message-html:v2:{message.pk}:{message.channel}:{digest}"


def conversation_html(messages) -> list[tuple[Message, SafeString]]:
    """Each message with its HTML; renderings are cached (per tenant, by content hash), so a
    long conversation is rendered once, not on every page view."""
    messages = list(messages)
    keys = {message.pk: rendered_cache_key(message) for message in messages}
    cached = cache.get_many(list(keys.values()))
    fresh = {}
    result = []
    for message in messages:
        html = cached.get(keys[message.pk])
        if html is None:
            html = fresh[keys[message.pk]] = str(message_html(message))
        result.append((message, mark_safe(html)))
    if fresh:
        cache.set_many(fresh, timeout=RENDERED_TTL)
    return result
