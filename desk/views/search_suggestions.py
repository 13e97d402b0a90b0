"""Suggestions as you type in the desk's search box (htmx, debounced in the page): matching
tickets by number, subject, text or requester, matching customers and organizations, and a
"did you mean" correction when a misspelt word finds nothing (the KB's vocabulary approach)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from desk.queues import search_branches
from desk.search_suggest import did_you_mean
from desk.views.base import desk_view
from panel1.accounts.models import Role, User
from tickets.customer_selectors import customer_search_q
from tickets.models import Organization, Ticket

TICKET_LIMIT = 6
PEOPLE_LIMIT = 3
MIN_LENGTH = 2
MAX_LENGTH = 200


def _tickets(user, text: str) -> list[Ticket]:
    """The newest few tickets of each way the search box matches (one small query each: an
    OR across full text, numbers and requesters cannot use the indexes), newest first."""
    base = (
        Ticket.objects.visible_to(user)
        .filter(merged_into__isnull=True)
        .select_related("requester")
        .only("number", "subject", "status", "updated_at", "requester__name", "requester__email")
        .order_by("-updated_at", "-pk")
    )
    found: dict = {}
    for branch in search_branches(text, user=user):
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
