"""Suggestions as you type in the desk's search box (htmx, debounced in the page): matching
tickets by subject words (as prefixes), number or requester, matching customers and
organizations, and a "did you mean" correction when a misspelt word finds nothing (the KB's
vocabulary approach). Enter runs the full search (messages too) on the search page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from desk.queues import number_q, requester_ids_matching
from desk.search_suggest import did_you_mean
from desk.views.base import desk_view
from panel1.accounts.models import Role, User
from tickets.customer_selectors import customer_search_q
from tickets.models import Organization, Ticket
from tickets.selectors import SEARCH_CONFIG

TICKET_LIMIT = 6
PEOPLE_LIMIT = 3
MIN_LENGTH = 2
MAX_LENGTH = 200
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
NEWEST = ExpressionWrapper(F("updated_at") + Value(timedelta(0)), output_field=DateTimeField())


def _prefix_query(text: str) -> SearchQuery | None:
    """Every word of `text` as a prefix ("invo" -> invo:*), or None without words."""
    words = _WORD.findall(text.lower())[:6]
    if not words:
        return None
    raw = " & ".join(f"{word}:*" for word in words)
    return SearchQuery(raw, config=SEARCH_CONFIG, search_type="raw")


def _branches(text: str) -> list[Q]:
    """One condition per way of matching, each served by its own index (an OR of them, or
    the messages' full text, would read far more rows than six suggestions need)."""
    branches = []
    prefix = _prefix_query(text)
    if prefix is not None:
        branches.append(Q(search_vector=prefix))
    number = number_q(text)
    if number is not None:
        branches.append(number)
    people = requester_ids_matching(text)
    if people:
        branches.append(Q(requester_id__in=people))
    return branches


def _tickets(user, text: str) -> list[Ticket]:
    """The newest few tickets of each way of matching, newest first."""
    base = (
        Ticket.objects.visible_to(user)
        .filter(merged_into__isnull=True)
        .select_related("requester")
        .only("number", "subject", "status", "updated_at", "requester__name", "requester__email")
        # An expression, not the column: PostgreSQL then finds the matches through the
        # branch's own index and sorts those few, instead of walking the updated_at index
        # over every ticket hoping to meet six matches (a word that matches nothing).
        .order_by(NEWEST.desc(), "-pk")
    )
    found: dict = {}
    for branch in _branches(text):
        for ticket in base.filter(branch)[:TICKET_LIMIT]:
            found.setdefault(ticket.pk, ticket)
    return sorted(found.values(), key=lambda t: (t.updated_at, t.pk), reverse=True)[:TICKET_LIMIT]


@require_GET
@desk_view
def search_suggestions(request):
    text = " ".join((request.GET.get("q") or "").split())[:MAX_LENGTH]
    context: dict = {"q": text, "tickets": [], "customers": [], "organizations": []}
    if len(text) < MIN_LENGTH and not text.isdigit():  # "4" is ticket number 4
        return render(request, "desk/_search_suggestions.html", {**context, "q": ""})
    tickets = _tickets(request.user, text)
    if not tickets:
        corrected = did_you_mean(request.user, text)
        if corrected and corrected != text:
            tickets = _tickets(request.user, corrected)
            context["corrected"] = corrected
            query = urlencode({"filter": 1, "q": corrected})
            context["corrected_url"] = f"{reverse('desk:search')}?{query}"
    context["tickets"] = tickets
    if len(text) >= 3:
        context["customers"] = list(
            User.objects.filter(customer_search_q(text), role=Role.CUSTOMER, is_active=True)
            .only("id", "name", "email")
            .order_by("name", "email")[:PEOPLE_LIMIT]
        )
        context["organizations"] = list(
            Organization.objects.filter(Q(name__icontains=text) | Q(domains__icontains=text))
            .only("id", "name")
            .order_by("name")[:PEOPLE_LIMIT]
        )
    return render(request, "desk/_search_suggestions.html", context)
