"""Customers and organizations: create and edit them, each write audited.

A customer is a `panel1.accounts` user with the CUSTOMER role plus a `CustomerProfile`
(organization, notes, tags). New customers whose email domain an organization lists join
that organization, however they were created (API, desk, email, sign-up): the accounts app
calls `customer_profile_attach` through its customer-created hook.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from panel1.accounts.models import Role, User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.db_writes import insert_one
from panel1.events import bus, names
from panel1.exceptions import DomainError, PermissionDenied
from panel1.sentinels import UNSET
from tickets.models import CustomerProfile, Organization
from tickets.organization_cache import organization_id_for_domain
from tickets.services.lifecycle import normalize_tags

MAX_DOMAINS = 50
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _staff_only(actor: Actor, what: str) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can %(what)s.") % {"what": what})


def email_domain(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def organization_for_email(email: str) -> Organization | None:
    """The organization that lists the address's domain (the oldest, if several do)."""
    domain = email_domain(email)
    if not domain:
        return None
    return Organization.objects.filter(domains__contains=[domain]).order_by("created_at").first()


# --- Organizations --------------------------------------------------------------------------


def _clean_org_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError({"name": [_("Give the organization a name.")]})
    if len(name) > 200:
        raise DomainError({"name": [_("Use at most 200 characters.")]})
    return name


def normalize_domains(domains: Iterable[str]) -> list[str]:
    if isinstance(domains, str):
        raise DomainError({"domains": [_("Give a list of domains.")]})
    cleaned: list[str] = []
    for domain in domains:
        if not isinstance(domain, str):
            raise DomainError({"domains": [_("Domains must be strings.")]})
        domain = domain.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise DomainError(
                {"domains": [_("%(domain)s is not a domain name.") % {"domain": repr(domain[:60])}]}
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if len(cleaned) > MAX_DOMAINS:
        raise DomainError(
            {
                "domains": [
                    _("At most %(max_domains)s domains per organization.")
                    % {"max_domains": MAX_DOMAINS}
                ]
            }
        )
    return cleaned


def _check_domains_free(domains: list[str], *, exclude: Organization | None = None) -> None:
    taken = Organization.objects.filter(domains__overlap=domains)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    other = taken.first()
    if other is not None:
        shared = sorted(set(domains) & set(other.domains))
        raise DomainError(
            {
                "domains": [
                    _("%(shared)s already belongs to %(other_name)s.")
                    % {"shared": ", ".join(shared), "other_name": repr(other.name)}
                ]
            }
        )


def _save_org(organization: Organization) -> None:
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:
        raise DomainError(
            {
                "name": [
                    _("An organization named %(organization_name)s exists already.")
                    % {"organization_name": repr(organization.name)}
                ]
            }
        ) from exc


@transaction.atomic
def organization_create(
    *,
    actor: User | Actor,
    name: str,
    domains: Iterable[str] = (),
    notes: str = "",
    shares_tickets: bool = False,
) -> Organization:
    """Create an organization (audited; emits `organization.created`). Customers created
    later with an address in one of its domains join it. `shares_tickets`: its members see
    (and may act on) each other's tickets in the portal and the API."""
    actor = Actor.of(actor)
    _staff_only(actor, _("create organizations"))
    domains = normalize_domains(domains)
    _check_domains_free(domains)
    organization = Organization(
        name=_clean_org_name(name),
        domains=domains,
        notes=notes or "",
        shares_tickets=bool(shares_tickets),
    )
    _save_org(organization)
    audit_record(
        actor=actor,
        action="organization.created",
        target=organization,
        details={"name": organization.name, "domains": domains},
    )
    bus.emit(
        names.ORGANIZATION_CREATED,
        payload={"organization_id": str(organization.pk), "name": organization.name},
        actor=actor.event_actor,
    )
    return organization


@transaction.atomic
def organization_update(
    *,
    actor: User | Actor,
    organization: Organization,
    name: str = UNSET,
    domains: Iterable[str] = UNSET,
    notes: str = UNSET,
    shares_tickets: bool = UNSET,
) -> Organization:
    """Rename an organization, change its domains, notes or ticket sharing (audited).
    Changing domains does not move existing customers: only new customers join by domain."""
    actor = Actor.of(actor)
    _staff_only(actor, _("edit organizations"))
    changes = {}
    if name is not UNSET:
        changes["name"] = _clean_org_name(name)
    if domains is not UNSET:
        changes["domains"] = normalize_domains(domains)
        _check_domains_free(changes["domains"], exclude=organization)
    if notes is not UNSET:
        changes["notes"] = notes or ""
    if shares_tickets is not UNSET:
        changes["shares_tickets"] = bool(shares_tickets)
    changed = {k: v for k, v in changes.items() if getattr(organization, k) != v}
    if not changed:
        return organization
    before = {k: getattr(organization, k) for k in changed}
    for key, value in changed.items():
        setattr(organization, key, value)
    _save_org(organization)
    audit_record(
        actor=actor,
        action="organization.updated",
        target=organization,
        details={k: [before[k], v] for k, v in changed.items() if k != "notes"}
        | ({"notes": "changed"} if "notes" in changed else {}),
    )
    return organization


@transaction.atomic
def organization_delete(*, actor: User | Actor, organization: Organization) -> None:
    """Delete an organization; its members stay customers, without an organization."""
    actor = Actor.of(actor)
    _staff_only(actor, _("delete organizations"))
    audit_record(
        actor=actor,
        action="organization.deleted",
        target=organization,
        details={"name": organization.name, "members": organization.members.count()},
    )
    organization.delete()


# --- Customers ------------------------------------------------------------------------------


def _check_language(language: str) -> str:
    language = (language or "").strip().lower()
    codes = {code.lower() for code, _label in settings.LANGUAGES}
    if language and language not in codes:
        raise DomainError(
            {
                "language": [
                    _("%(language)s is not one of %(codes)s.")
                    % {"language": repr(language[:20]), "codes": ", ".join(sorted(codes))}
                ]
            }
        )
    return language


def _check_timezone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            {"timezone": [_("%(value)s is not a time zone.") % {"value": repr(value[:64])}]}
        ) from None
    return value


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > 200:
        raise DomainError({"name": [_("Use at most 200 characters.")]})
    return name


def _check_email(email: str, *, exclude: User | None = None) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError({"email": [_("Enter a valid email address.")]}) from None
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise DomainError({"email": [_("Someone with this address exists already.")]})
    return email


def _profile_of(user: User) -> CustomerProfile:
    profile, _created = CustomerProfile.objects.get_or_create(user=user)
    return profile


def customer_profile_attach(user: User) -> CustomerProfile | None:
    """Give a newly created customer a profile, in the organization of their email domain,
    and emit `customer.created`. The accounts app's customer-created hook; runs inside the
    creating transaction, right after the user's INSERT: no profile can exist yet, so it is
    inserted without a look-up first (a duplicate would fail the creation). Inside an event
    batch (mail ingest's decision) the row goes in with the batch's other rows."""
    if user.role != Role.CUSTOMER:
        return None
    profile = CustomerProfile(
        user=user, organization_id=organization_id_for_domain(email_domain(user.email))
    )
    if not bus.defer_insert(profile):
        insert_one(profile)
    bus.emit(
        names.CUSTOMER_CREATED,
        payload={
            "customer_id": str(user.pk),
            "organization_id": str(profile.organization_id or "") or None,
        },
    )
    return profile


@transaction.atomic
def customer_create(
    *,
    actor: User | Actor,
    email: str,
    name: str = "",
    organization: Organization | None = UNSET,
    language: str = "",
    timezone: str = "",
    notes: str = "",
    tags: Iterable[str] = (),
) -> User:
    """Create a customer (no password; they claim the account by a mailed link). Without an
    explicit organization they join the one of their email domain. Audited; emits
    `customer.created`."""
    actor = Actor.of(actor)
    _staff_only(actor, _("create customers"))
    email = _check_email(email)
    user = User.objects.create_user(
        email=email,
        name=_check_name(name),
        role=Role.CUSTOMER,
        language=_check_language(language) or settings.LANGUAGE_CODE,
        timezone=_check_timezone(timezone),
    )
    chosen = organization_for_email(email) if organization is UNSET else organization
    profile = CustomerProfile.objects.create(
        user=user, organization=chosen, notes=notes or "", tags=normalize_tags(tags)
    )
    audit_record(
        actor=actor,
        action="customer.created",
        target=user,
        details={"organization": str(profile.organization_id or "") or None},
    )
    bus.emit(
        names.CUSTOMER_CREATED,
        payload={
            "customer_id": str(user.pk),
            "organization_id": str(profile.organization_id or "") or None,
        },
        actor=actor.event_actor,
    )
    return user


@transaction.atomic
def customer_update(
    *,
    actor: User | Actor,
    customer: User,
    email: str = UNSET,
    name: str = UNSET,
    organization: Organization | None = UNSET,
    language: str = UNSET,
    timezone: str = UNSET,
    notes: str = UNSET,
    tags: Iterable[str] = UNSET,
) -> User:
    """Change a customer's contact details and profile (staff only; audited, without the
    text of notes)."""
    actor = Actor.of(actor)
    _staff_only(actor, _("edit customers"))
    if customer.role != Role.CUSTOMER:
        raise DomainError({"non_field_errors": [_("Only customers have a customer profile.")]})
    user_changes = {}
    if email is not UNSET:
        user_changes["email"] = _check_email(email, exclude=customer)
    if name is not UNSET:
        user_changes["name"] = _check_name(name)
    if language is not UNSET:
        user_changes["language"] = _check_language(language) or settings.LANGUAGE_CODE
    if timezone is not UNSET:
        user_changes["timezone"] = _check_timezone(timezone)
    profile = _profile_of(customer)
    profile_changes = {}
    if organization is not UNSET:
        profile_changes["organization"] = organization
    if notes is not UNSET:
        profile_changes["notes"] = notes or ""
    if tags is not UNSET:
        profile_changes["tags"] = normalize_tags(tags)
    details = {}
    for target, changes in ((customer, user_changes), (profile, profile_changes)):
        changed = [k for k, v in changes.items() if getattr(target, k) != v]
        for key in changed:
            before = getattr(target, key)
            setattr(target, key, changes[key])
            details[key] = "changed" if key == "notes" else [before, changes[key]]
        if changed:
            target.save(update_fields=[*changed, *(["updated_at"] if target is profile else [])])
    if details:
        audit_record(actor=actor, action="customer.updated", target=customer, details=details)
    return customer
