"""Search analytics: every search is recorded, then what the searcher did next."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledgebase.models import Article, Category, SearchOutcome, SearchRecord, SearchSource
from knowledgebase.search import SearchResults, article_search, normalize_query
from panel1.accounts.models import User
from panel1.content_language import normalize_language
from panel1.exceptions import DomainError
from panel1.ids import is_uuid, parse_uuid

# A ticket filed this soon after a search counts as that search's outcome.
TICKET_AFTER_SEARCH = timedelta(minutes=30)


def kb_search_record(
    *,
    query: str,
    result_count: int,
    source: str,
    corrected_query: str = "",
    user: User | None = None,
    session_key: str = "",
    language: str = "",
) -> SearchRecord:
    """Record one search (the query, how many articles it found, who asked, in which
    language)."""
    if source not in SearchSource.values:
        raise DomainError(
            {"source": [_("%(source)s is not a valid search source.") % {"source": repr(source)}]}
        )
    query = normalize_query(query)
    if user is not None and not user.is_authenticated:
        user = None
    return SearchRecord.objects.create(
        query=query,
        normalized_query=query.lower(),
        result_count=result_count,
        corrected_query=corrected_query[:255],
        source=source,
        user=user,
        session_key=(session_key or "")[:64],
        language=normalize_language(language) or "",
    )


def kb_search_run(
    *,
    user: User | None,
    query: str,
    source: str,
    category: Category | None = None,
    limit: int = 20,
    offset: int = 0,
    session_key: str = "",
    language: str | None = None,
) -> tuple[SearchResults, SearchRecord | None]:
    """Search for `user` in `language` (default: the current one) and record the search (its
    first page only: paging is no new search)."""
    results = article_search(
        user=user, query=query, category=category, limit=limit, offset=offset, language=language
    )
    record = None
    if results.query and offset == 0:
        record = kb_search_record(
            query=results.query,
            result_count=results.total,
            source=source,
            corrected_query=results.did_you_mean,
            user=user,
            session_key=session_key,
            language=results.language,
        )
    return results, record


def kb_search_outcome_record(
    *,
    search_id: str | uuid.UUID,
    outcome: str,
    article: Article | None = None,
    ticket=None,
) -> bool:
    """Note what followed a search: an article opened or a ticket filed. The first of each
    kind counts; answer whether anything was recorded. Unknown ids are ignored (the id comes
    back from a browser)."""
    search_id = parse_uuid(search_id)
    if search_id is None:
        return False
    now = timezone.now()
    searches = SearchRecord.objects.filter(pk=search_id)
    if outcome == SearchOutcome.ARTICLE_OPENED:
        return bool(
            searches.filter(article_opened_at__isnull=True).update(
                article_opened_at=now, opened_article=article
            )
        )
    if outcome == SearchOutcome.TICKET_FILED:
        return bool(
            searches.filter(ticket_filed_at__isnull=True).update(ticket_filed_at=now, ticket=ticket)
        )
    raise DomainError(
        {"outcome": [_("%(outcome)s is not a valid outcome.") % {"outcome": repr(outcome)}]}
    )


@transaction.atomic
def kb_search_ticket_filed(*, ticket) -> bool:
    """Attribute a new ticket to its requester's latest search of the last 30 minutes."""
    since = timezone.now() - TICKET_AFTER_SEARCH
    search = (
        SearchRecord.objects.filter(
            user_id=ticket.requester_id, created_at__gte=since, ticket_filed_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    if search is None:
        return False
    return kb_search_outcome_record(
        search_id=search.pk, outcome=SearchOutcome.TICKET_FILED, ticket=ticket
    )


def on_ticket_created(event) -> None:
    """`ticket.created` subscriber: a customer filing their own ticket after searching.

    Queued, not run in the request that created the ticket: the search lookup is no part of
    it. The payload's `requester_id` skips tickets staff filed for someone without a query."""
    from panel1 import jobs

    requester_id = event.payload.get("requester_id")
    if requester_id is not None and requester_id != event.actor:
        return
    jobs.enqueue(
        "knowledgebase.services.analytics.search_outcome_task",
        event.payload.get("ticket_id"),
        event.actor,
    )


def search_outcome_task(ticket_id, actor: str) -> bool:
    """The job of `on_ticket_created`."""
    from tickets.models import Ticket

    ticket = Ticket.objects.filter(pk=ticket_id).first() if is_uuid(ticket_id) else None
    if ticket is None or actor != str(ticket.requester_id):
        return False
    return kb_search_ticket_filed(ticket=ticket)
