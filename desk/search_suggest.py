"""Typo tolerance for the desk's search box: when a search finds nothing, offer the query
with unknown words replaced by the closest words of the tenant's ticket subjects (the KB's
vocabulary approach: `knowledgebase.search.correct_query`, rapidfuzz)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection

from knowledgebase.search import correct_query
from tickets.models import Ticket
from tickets.querysets import agent_category_ids

VOCABULARY_KEY = "desk:ticket-vocabulary"
VOCABULARY_TTL = 3600
VOCABULARY_SIZE = 20_000
RECENT_TICKETS = 20_000  # the newest subjects are the vocabulary; bounds the cost


def ticket_vocabulary() -> dict[str, int]:
    """Word -> number of recent tickets whose subject uses it (cached per tenant, 1 h)."""
    words = cache.get(VOCABULARY_KEY)
    if words is None:
        inner = (
            f"SELECT to_tsvector('simple', subject) FROM {Ticket._meta.db_table} "
            f"ORDER BY created_at DESC LIMIT {RECENT_TICKETS}"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat(%s)"
                " WHERE length(word) BETWEEN 3 AND 40 AND word ~ '^[[:alpha:]]+$'"
                " ORDER BY ndoc DESC, word LIMIT %s",
                [inner, VOCABULARY_SIZE],
            )
            words = dict(cursor.fetchall())
        cache.set(VOCABULARY_KEY, words, VOCABULARY_TTL)
    return words


def did_you_mean(user, query: str) -> str | None:
    """A corrected query, or None. Agents limited to categories get none: the vocabulary
    spans every ticket, and a suggestion must not hint at tickets they cannot see."""
    if not query or (not user.is_supervisor_or_admin and agent_category_ids(user)):
        return None
    return correct_query(query, ticket_vocabulary())
