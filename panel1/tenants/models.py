"""Tenants (one PostgreSQL schema each) and the domains that route to them."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

hex_color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")
number_part_validator = RegexValidator(
    r"^[A-Za-z0-9]*$", "Use letters and digits only (the number is used in email subjects)."
)


class Tenant(TenantMixin):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # Branding
    display_name = models.CharField(max_length=200, blank=True)
    primary_color = models.CharField(
        max_length=7, default="#2563eb", validators=[hex_color_validator]
    )
    logo = models.FileField(upload_to="branding/", blank=True)
    support_email = models.EmailField(blank=True)
    footer_text = models.CharField(max_length=500, blank=True)
    default_timezone = models.CharField(max_length=64, default="UTC")
    # Ticket number format: PREFIX-YYYY-00000042-SUFFIX
    ticket_prefix = models.CharField(
        max_length=10, default="SUP", validators=[number_part_validator]
    )
    ticket_number_include_year = models.BooleanField(default=True)
    ticket_number_padding = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    ticket_suffix = models.CharField(max_length=10, blank=True, validators=[number_part_validator])
    # Portal and KB behaviour
    allow_signup = models.BooleanField(default=True)
    customers_can_set_priority = models.BooleanField(default=False)
    customers_can_cc = models.BooleanField(default=True)
    # Interface languages (codes of settings.LANGUAGES): empty = every shipped language, so a
    # new tenant offers them all until its admin narrows them (panel1.i18n.languages).
    offered_languages = models.JSONField(default=list, blank=True)
    # "" = the site's LANGUAGE_CODE (when offered).
    default_language = models.CharField(max_length=10, blank=True)
    kb_search_config = models.CharField(
        max_length=32,
        default="english",
        help_text=_("PostgreSQL text search configuration used for knowledge-base search."),
    )
    # The plugins this tenant enabled (names), kept in step with panel1.plugins' PluginState by
    # its services: the tenant row is read for every request anyway, so a request learns which
    # plugins run without a query of its own.
    plugins_enabled = models.JSONField(default=list, blank=True, editable=False)
    # Security: staff must use two-factor sign-in (panel1.security); read on every request
    # from the tenant row the middleware already loaded, so the check costs no query.
    require_2fa_staff = models.BooleanField(default=False)
    require_2fa_admins = models.BooleanField(default=False)
    # Suspended by a platform admin: every request to the tenant's hosts answers 503 (the data
    # stays; reactivating restores it). Audited in the platform's log.
    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Created by platform provisioning only; the template schema is never a tenant row.
    auto_create_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.display_name or self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Create the schema as a lean clone of the template (see `panel1.tenants.clone`).

        Replaces django-tenants' `clone_schema()` + `migrate_schemas --fake`; without a
        template schema it falls back to django-tenants (CREATE SCHEMA + migrate).
        """
        from django.db import connection
        from django_tenants.utils import get_tenant_base_schema, schema_exists

        from panel1.tenants.clone import clone_template_schema

        template = get_tenant_base_schema()
        if not (sync_schema and template and schema_exists(template)):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if schema_exists(self.schema_name, case_sensitive=False):
            if check_if_exists:
                return False
            raise ValueError(f"schema {self.schema_name} already exists")
        clone_template_schema(template=template, schema_name=self.schema_name)
        connection.set_schema_to_public()
        return True

    @property
    def brand_name(self) -> str:
        return self.display_name or self.name

    @property
    def is_public(self) -> bool:
        from django_tenants.utils import get_public_schema_name

        return self.schema_name == get_public_schema_name()


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain
