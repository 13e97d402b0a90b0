"""Users live per tenant: a table in every tenant schema (and in public for platform admins)."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Collate, Reverse, Upper
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from panel1.model_loading import FastLoad


class Role(models.TextChoices):
    ADMIN = "ADMIN", _("Admin")
    SUPERVISOR = "SUPERVISOR", _("Supervisor")
    AGENT = "AGENT", _("Agent")
    CUSTOMER = "CUSTOMER", _("Customer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT})


# The address upper-cased and reversed, in the "C" collation (byte order, so a LIKE prefix
# can read an index): "ends with @DOMAIN" becomes "starts with NIAMOD@" (see the index below).
REVERSED_EMAIL = Collate(Reverse(Upper("email")), "C")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(FastLoad, AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    is_active = models.BooleanField(default=True)
    # The person's interface and mail language ("" = not chosen: the browser's, the
    # ticket's or the helpdesk's; panel1.i18n) and time zone ("" = the helpdesk's).
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    email_verified = models.BooleanField(default=False)
    notify_by_email = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        indexes = [
            models.Index(fields=["role"], name="accounts_user_role_idx"),
            # Addresses are matched case-insensitively (`email__iexact`: sign-in, mail
            # ingest, customer look-ups): UPPER(email) = UPPER(%s) reads this index instead
            # of every user of the tenant.
            models.Index(Upper("email"), name="accounts_user_email_upper_idx"),
            # "Is there an active customer at this domain?" (every inbound mail asks it)
            # matches the end of addresses: the beginning of their reverse, a prefix this
            # index serves, instead of a LIKE '%@domain' over every user of the tenant.
            models.Index(REVERSED_EMAIL, name="accounts_user_email_rev_idx"),
        ]

    def __str__(self):
        return self.name or self.email

    @property
    def is_staff(self) -> bool:
        """Django admin access: tenant ADMIN users (and platform superusers)."""
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_helpdesk_staff(self) -> bool:
        """ADMIN, SUPERVISOR and AGENT work tickets; CUSTOMER is an end user."""
        return self.role in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_supervisor_or_admin(self) -> bool:
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    def has_perm(self, perm, obj=None):
        # Tenant admins administer their whole helpdesk in the tenant's admin site.
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return (self.name or self.email).split(" ")[0]
