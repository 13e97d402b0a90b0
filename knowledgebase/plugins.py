"""KB components for other apps' pages (panel1.plugins UI slots)."""

from __future__ import annotations

from knowledgebase.search import article_suggest


def ticket_suggestions_context(request, *, ticket=None, **kwargs) -> dict:
    """Articles that may answer the ticket, for the ticket sidebar (desk and portal); what
    the viewer may read only."""
    if ticket is None or request is None:
        return {"kb_articles": []}
    first = ticket.messages.order_by("created_at").values_list("content", flat=True).first()
    text = f"{ticket.subject}\n{first or ''}"
    return {"kb_articles": article_suggest(user=request.user, text=text)}
