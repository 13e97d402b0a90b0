"""The desk's knowledge-base panel on the ticket page: articles to link in a reply.

Suggestions come from `knowledgebase.search.article_suggest`, which answers only what the
agent may read. When the knowledge base already renders its own component in the
`ticket.sidebar` UI slot, the desk's panel steps aside (the desk's script then adds its
"Insert link" buttons to that component).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from knowledgebase.search import article_suggest
from panel1.plugins import ui_slots

SUGGESTIONS = 5


@dataclass(frozen=True)
class KbSuggestion:
    title: str
    url: str
    excerpt: str = ""


def kb_panel_needed() -> bool:
    return not any(c.key.startswith("kb") for c in ui_slots.components("ticket.sidebar"))


def kb_suggestions(
    *, user, text: str, limit: int = SUGGESTIONS, language: str | None = None
) -> list[KbSuggestion]:
    """Articles the knowledge base suggests for `text` (as `user` may see them), in
    `language` (default: the current one) with the default language as the fallback."""
    if not text.strip():
        return []
    return [
        KbSuggestion(
            title=article.title,
            url=reverse("kb:detail", args=[article.slug]),
            excerpt=article.excerpt,
        )
        for article in article_suggest(user=user, text=text, limit=limit, language=language)
    ]
