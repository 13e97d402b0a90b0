"""Tenant provisioning: schema, domain, first admin and the apps' defaults in one step."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from panel1 import tenant_cache
from panel1.accounts.models import Role, User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.exceptions import DomainError
from panel1.sentinels import UNSET
from panel1.tenants import provisioning
from panel1.tenants.executor import migration_nodes
from panel1.tenants.models import Domain, Tenant

SCHEMA_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
RESERVED_SCHEMAS = {"public", "information_schema", "tenant_template", "template"}


class ProvisioningError(DomainError):
    pass


@dataclass
class ProvisionResult:
    tenant: Tenant
    created: bool
    admin_created: bool
    changes: list[str] = field(default_factory=list)


def validate_tenant_input(*, schema_name: str, domain: str, name: str, admin_email: str) -> None:
    errors: dict[str, list[str]] = {}
    if not SCHEMA_RE.match(schema_name or "") or schema_name.startswith("pg_"):
        errors["schema"] = [
            _("Use 2-41 lowercase letters, digits or underscores, starting with a letter.")
        ]
    elif schema_name in RESERVED_SCHEMAS or schema_name == settings.TENANT_BASE_SCHEMA:
        errors["schema"] = [_("%(schema_name)s is reserved.") % {"schema_name": repr(schema_name)}]
    if not DOMAIN_RE.match((domain or "").lower()):
        errors["domain"] = [_("%(domain)s is not a valid host name.") % {"domain": repr(domain)}]
    if not (name or "").strip():
        errors["name"] = [_("A name is required.")]
    try:
        validate_email(admin_email)
    except ValidationError:
        errors["admin_email"] = [
            _("%(admin_email)s is not a valid email address.") % {"admin_email": repr(admin_email)}
        ]
    if errors:
        raise ProvisioningError(errors)


def template_schema_is_current() -> bool:
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')
        applied = set(cursor.fetchall())
    return migration_nodes() <= applied


def ensure_template_schema(*, verbosity: int = 0) -> bool:
    """Create or migrate the template schema new tenants are cloned from; True if changed."""
    connection.set_schema_to_public()
    if template_schema_is_current():
        return False
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{template}"')
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=template,
        interactive=False,
        verbosity=verbosity,
    )
    connection.set_schema_to_public()
    return True


def ensure_public_tenant() -> Tenant:
    """The public schema's tenant row and platform domain (landing page, platform admin)."""
    public, _unused = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(), defaults={"name": "Panel1 platform"}
    )
    Domain.objects.get_or_create(
        domain=settings.PUBLIC_DOMAIN, defaults={"tenant": public, "is_primary": True}
    )
    return public


def tenant_provision(
    *,
    schema_name: str,
    domain: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    verbosity: int = 0,
) -> ProvisionResult:
    """Create schema, domain, first admin and app defaults; idempotent for the same input."""
    domain = domain.lower()
    admin_email = admin_email.lower()
    validate_tenant_input(
        schema_name=schema_name, domain=domain, name=name, admin_email=admin_email
    )
    connection.set_schema_to_public()
    existing_domain = Domain.objects.select_related("tenant").filter(domain=domain).first()
    if existing_domain and existing_domain.tenant.schema_name != schema_name:
        raise ProvisioningError(
            {
                "domain": [
                    f"{domain} already belongs to tenant {existing_domain.tenant.schema_name}."
                ]
            }
        )
    tenant = Tenant.objects.filter(schema_name=schema_name).first()
    created = tenant is None
    if created:
        if schema_exists(schema_name):
            raise ProvisioningError(
                {"schema": [f"A database schema named {schema_name} exists but is no tenant."]}
            )
        # Outside the transaction below: it may run Django's migrate on the template.
        ensure_template_schema(verbosity=verbosity)
    # One transaction for the tenant row, the cloned schema, the domain, the first admin and
    # the apps' defaults: one commit instead of four, and a failure leaves nothing half-made
    # (PostgreSQL's DDL is transactional, the new schema goes with the rollback).
    with transaction.atomic():
        if created:
            tenant = _create_tenant_schema(schema_name=schema_name, name=name, verbosity=verbosity)
        result = _finish_provisioning(
            tenant=tenant,
            created=created,
            domain=domain,
            admin_email=admin_email,
            admin_password=admin_password,
        )
    connection.set_schema_to_public()
    return result


def _create_tenant_schema(*, schema_name: str, name: str, verbosity: int) -> Tenant:
    tenant = Tenant(schema_name=schema_name, name=name, display_name=name)
    tenant.save(verbosity=verbosity)
    connection.set_schema_to_public()
    return tenant


def _finish_provisioning(
    *, tenant: Tenant, created: bool, domain: str, admin_email: str, admin_password: str | None
) -> ProvisionResult:
    changes: list[str] = ["tenant schema created"] if created else []
    if _domain_add(tenant=tenant, domain=domain, fresh=created):
        changes.append(f"domain {domain} added")
    with schema_context(tenant.schema_name):
        admin_created = _first_admin_create(
            email=admin_email, password=admin_password, fresh=created
        )
        if admin_created:
            changes.append(f"admin {admin_email} created")
        for key, step in provisioning.registered_steps():
            if step(tenant=tenant):
                changes.append(key)
    return ProvisionResult(
        tenant=tenant, created=created, admin_created=admin_created, changes=changes
    )


def _domain_add(*, tenant: Tenant, domain: str, fresh: bool) -> bool:
    """Add the domain unless the tenant has it; a new tenant's first domain is its primary."""
    if fresh:
        # Domain.save() would look for other primary domains of a tenant that has none.
        Domain.objects.bulk_create([Domain(domain=domain, tenant=tenant, is_primary=True)])
        return True
    _unused, created = Domain.objects.get_or_create(
        domain=domain, defaults={"tenant": tenant, "is_primary": not tenant.domains.exists()}
    )
    return created


def _first_admin_create(*, email: str, password: str | None, fresh: bool) -> bool:
    """The tenant's first admin (one INSERT, password set before it); False if the email
    exists. A freshly cloned schema has no users, so it is not asked."""
    if not fresh and User.objects.filter(email=email).exists():
        return False
    admin = User(email=email, role=Role.ADMIN, name="Administrator")
    if password:
        admin.set_password(password)
    else:
        admin.set_unusable_password()
    admin.save()
    return True


TENANT_ROW_KEY = "tenant:row:v1"


def current_tenant() -> Tenant:
    """The Tenant row of the active schema. A request has it on the connection; a job or
    command in `schema_context` (a stand-in object there) gets a copy of the row kept in
    process memory per configuration version (`panel1.tenant_cache`: every save of a tenant
    sets a new version), not a statement per call."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return copy.copy(tenant_cache.cached(TENANT_ROW_KEY, _tenant_row))


def _tenant_row() -> Tenant:
    return Tenant.objects.get(schema_name=connection.schema_name)


@receiver(post_save, sender=Tenant)
@receiver(post_delete, sender=Tenant)
def _tenant_changed(sender, instance: Tenant, **kwargs) -> None:
    """A tenant's row changed (its settings, languages, numbering): a new configuration
    version in its schema, so every process reads the row again."""
    tenant_cache.bump_schema(instance.schema_name)


# What a tenant's own admin may change about their helpdesk (never schema or domains).
TENANT_SETTINGS_FIELDS = (
    "display_name",
    "primary_color",
    "logo",
    "support_email",
    "footer_text",
    "default_timezone",
    "ticket_prefix",
    "ticket_number_include_year",
    "ticket_number_padding",
    "ticket_suffix",
    "allow_signup",
    "customers_can_set_priority",
    "customers_can_cc",
    "kb_search_config",
    "offered_languages",
    "default_language",
)


@transaction.atomic
def tenant_settings_update(
    *,
    tenant: Tenant,
    actor: User | Actor | None,
    display_name: str = UNSET,
    primary_color: str = UNSET,
    logo: File | None = UNSET,
    support_email: str = UNSET,
    footer_text: str = UNSET,
    default_timezone: str = UNSET,
    ticket_prefix: str = UNSET,
    ticket_number_include_year: bool = UNSET,
    ticket_number_padding: int = UNSET,
    ticket_suffix: str = UNSET,
    allow_signup: bool = UNSET,
    customers_can_set_priority: bool = UNSET,
    customers_can_cc: bool = UNSET,
    kb_search_config: str = UNSET,
    offered_languages: list[str] = UNSET,
    default_language: str = UNSET,
) -> Tenant:
    """Change the tenant's branding, numbering and portal options; audit what changed.

    `logo=None` (or False, as a cleared form field gives it) removes the logo. Call it with
    the tenant's schema active: the audit entry goes to that schema, and the logo is stored
    under the tenant's prefix.
    """
    arguments = locals()
    values = {key: arguments[key] for key in TENANT_SETTINGS_FIELDS if arguments[key] is not UNSET}
    if "default_timezone" in values and values["default_timezone"] not in available_timezones():
        tz = values["default_timezone"]
        raise DomainError(
            {"default_timezone": [_("%(tz)s is not a known IANA time zone.") % {"tz": repr(tz)}]}
        )
    values.update(_clean_languages(tenant, values))
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(tenant, name)
        if name == "logo":
            # A stored file (a form's unchanged initial value) is no change; an upload is.
            upload = bool(value) and not isinstance(value, FieldFile)
            if not upload and (getattr(value, "name", "") if value else "") == before.name:
                continue
            value = value or ""
            before, after = before.name or "", getattr(value, "name", "")
        elif before == value:
            continue
        else:
            after = value
        setattr(tenant, name, value)
        changes[name] = [before, after]
    if not changes:
        return tenant
    others = [f.name for f in Tenant._meta.fields if f.name not in changes]
    tenant.full_clean(exclude=others, validate_unique=False)
    tenant.save()
    if "logo" in changes:
        changes["logo"][1] = tenant.logo.name or ""
    audit_record(actor=actor, action="settings_changed", target=tenant, details=changes)
    return tenant


def _clean_languages(tenant: Tenant, values: dict) -> dict:
    """The offered languages (every shipped one chosen is stored as [] = all, so languages
    shipped later are offered too) and a default among them."""
    from panel1.i18n.languages import shipped_languages

    shipped = shipped_languages()
    cleaned: dict[str, Any] = {}
    offered = tenant.offered_languages or []
    if "offered_languages" in values:
        chosen = values["offered_languages"]
        if not isinstance(chosen, list | tuple) or not all(isinstance(c, str) for c in chosen):
            raise DomainError({"offered_languages": [_("Expected a list of language codes.")]})
        codes = {c.strip().lower().replace("_", "-") for c in chosen}
        unknown = sorted(codes - set(shipped))
        if unknown:
            raise DomainError(
                {
                    "offered_languages": [
                        _("%(codes)s: not a language of this installation.")
                        % {"codes": ", ".join(unknown)}
                    ]
                }
            )
        # None chosen or all chosen: all, including languages shipped later.
        offered = [] if codes in (set(), set(shipped)) else [c for c in shipped if c in codes]
        cleaned["offered_languages"] = offered
    if "default_language" in values or "offered_languages" in values:
        default = values.get("default_language", tenant.default_language) or ""
        default = default.strip().lower().replace("_", "-")
        if default and default not in (offered or shipped):
            raise DomainError(
                {"default_language": [_("The default language must be one of those offered.")]}
            )
        cleaned["default_language"] = default
    return cleaned


def tenant_suspend(*, tenant: Tenant, actor=None, reason: str = "") -> bool:
    """Suspend a tenant (its hosts answer 503; nothing is deleted); audited in the platform's
    log. False when it was suspended already."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        changed = Tenant.objects.filter(pk=tenant.pk, suspended_at__isnull=True).update(
            suspended_at=timezone.now()
        )
        if changed:
            audit_record(
                actor=actor,
                action="tenant_suspended",
                target=tenant,
                details={"schema": tenant.schema_name, "reason": reason[:500]},
            )
    tenant.refresh_from_db(fields=["suspended_at"])
    return bool(changed)


def tenant_reactivate(*, tenant: Tenant, actor=None) -> bool:
    """Lift a suspension; audited in the platform's log. False when it was not suspended."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        changed = Tenant.objects.filter(pk=tenant.pk, suspended_at__isnull=False).update(
            suspended_at=None
        )
        if changed:
            audit_record(
                actor=actor,
                action="tenant_reactivated",
                target=tenant,
                details={"schema": tenant.schema_name},
            )
    tenant.refresh_from_db(fields=["suspended_at"])
    return bool(changed)
