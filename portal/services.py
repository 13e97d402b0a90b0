"""Portal-specific rules on top of the ticket and KB services (which do the writing)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from knowledgebase.models import Article, SearchOutcome, SearchRecord, SearchSource
from knowledgebase.services import kb_search_outcome_record, kb_search_record
from panel1.accounts.models import User
from panel1.accounts.services import customer_get_or_create
from panel1.exceptions import DomainError, PermissionDenied
from panel1.tenants.services import current_tenant
from tickets.models import Status, Ticket
from tickets.services import ticket_cc_add

MAX_CUSTOMER_CCS = 10
# On a shared mail provider "the same domain" says nothing about being colleagues.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "yandex.ru",
        "zoho.com",
    }
)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


@transaction.atomic
def portal_cc_add(*, ticket: Ticket, actor: User, email: str) -> User:
    """Let the requester add a colleague as CC: the tenant must allow it, the colleague's
    address must be on the requester's own (non-webmail) domain, and the ticket not closed.
    Creates the colleague's customer account if new; the CC itself is `ticket_cc_add`."""
    if not current_tenant().customers_can_cc:
        raise PermissionDenied(_("Adding colleagues is turned off for this helpdesk."))
    if actor.pk != ticket.requester_id:
        raise PermissionDenied(_("Only the person who opened the request can add colleagues."))
    if ticket.status == Status.CLOSED:
        raise DomainError({"email": [_("This request is closed.")]})
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError({"email": [_("Enter a valid email address.")]}) from exc
    domain = email_domain(ticket.requester.email)
    if email_domain(email) != domain:
        raise DomainError(
            {
                "email": [
                    _("You can add colleagues with an @%(domain)s address only.")
                    % {"domain": domain}
                ]
            }
        )
    if domain in FREE_MAIL_DOMAINS:
        raise DomainError(
            {"email": [_("Colleagues can only be added from a company email domain.")]}
        )
    if email == ticket.requester.email.lower():
        raise DomainError({"email": [_("That is your own address.")]})
    if ticket.cc.filter(email__iexact=email).exists():
        return ticket.cc.get(email__iexact=email)
    if ticket.cc.count() >= MAX_CUSTOMER_CCS:
        raise DomainError(
            {"email": [_("A request can have at most %(n)d colleagues.") % {"n": MAX_CUSTOMER_CCS}]}
        )
    user, _created = customer_get_or_create(email=email)
    if not user.is_customer or not user.is_active:
        raise DomainError({"email": [_("This address cannot be added.")]})
    ticket_cc_add(ticket=ticket, actor=actor, user=user)
    return user


def _own_search_id(*, actor: User, search_id: str) -> str:
    """The id comes back from the browser: only the customer's own search counts."""
    try:
        uuid.UUID(search_id)
    except ValueError:
        return ""
    return search_id if SearchRecord.objects.filter(pk=search_id, user=actor).exists() else ""


@transaction.atomic
def portal_kb_suggestion_opened(
    *,
    actor: User,
    session_key: str,
    slug: str,
    query: str,
    search_id: str = "",
    result_count: int = 0,
) -> bool:
    """Record that the customer opened a suggested article from the new-ticket form.

    In the KB's search analytics a search whose searcher opened an article and filed no ticket
    is a deflection; filing a ticket later is attributed by the KB itself (`ticket.created`).
    When the suggestions came without a search id, record the search first.
    Answer whether anything was recorded.
    """
    article = Article.objects.visible_to(actor).filter(slug=slug).first()
    if article is None:
        return False
    search_id = _own_search_id(actor=actor, search_id=search_id) if search_id else ""
    if not search_id:
        if not query.strip():
            return False
        search_id = kb_search_record(
            query=query[:255],
            result_count=max(0, min(result_count, 50)),
            source=SearchSource.PORTAL,
            user=actor,
            session_key=session_key,
        ).pk
    return kb_search_outcome_record(
        search_id=search_id, outcome=SearchOutcome.ARTICLE_OPENED, article=article
    )
