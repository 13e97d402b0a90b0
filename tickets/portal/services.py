"""Portal-specific rules on top of the ticket services (which do the writing)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

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
