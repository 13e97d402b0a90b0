"""KB components for other apps' pages (panel1.plugins UI slots)."""

from __future__ import annotations

from knowledgebase.search import article_suggest
from panel1.plugins import requires


def ticket_suggestions_context(request, *, ticket=None, **kwargs) -> dict:
    """The ticket sidebar's component: a placeholder that loads the articles after the page
    (`ticket_suggestions`), so the page does not wait for the article search."""
    return {"ticket": ticket if request is not None else None}


def ticket_suggestions(*, user, ticket) -> list:
    """Articles that may answer the ticket (its subject and first message as `user` sees
    them), for the ticket sidebar; what `user` may read only."""
    messages = ticket.messages.all() if user.is_helpdesk_staff else ticket.messages.public()
    first = messages.order_by("created_at").values_list("content", flat=True).first()
    text = f"{ticket.subject}\n{first or ''}"
    return article_suggest(user=user, text=text)


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
