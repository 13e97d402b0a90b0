"""KB components for other apps' pages (panel1.plugins UI slots)."""

from __future__ import annotations

from knowledgebase.search import article_suggest
from panel1.plugins import requires


def ticket_suggestions_context(request, *, ticket=None, **kwargs) -> dict:
    """Articles that may answer the ticket, for the ticket sidebar (desk and portal); what
    the viewer may read only."""
    if ticket is None or request is None:
        return {"kb_articles": []}
    first = getattr(ticket, "first_message_content", None)  # the desk read the thread already
    if first is None:
        first = ticket.messages.order_by("created_at").values_list("content", flat=True).first()
    text = f"{ticket.subject}\n{first or ''}"
    return {"kb_articles": article_suggest(user=request.user, text=text)}


class KbCapability:
    """`ctx.kb` for plugins (`kb:read`): the articles anyone may read."""

    def __init__(self, ctx):
        pass

    @requires("kb:read")
    def search(self, query: str, *, limit: int = 5) -> list[dict]:
        from django.contrib.auth.models import AnonymousUser

        from knowledgebase.search import article_search

        found = article_search(user=AnonymousUser(), query=query, limit=min(limit, 20))
        return [
            {"slug": h.article.slug, "title": h.article.title, "rank": h.rank} for h in found.hits
        ]
