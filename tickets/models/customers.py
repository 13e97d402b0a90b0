"""Customers and organizations: what the helpdesk knows about the people who write in.

Customers are `panel1.accounts` users with the CUSTOMER role (name, email, language and time
zone live on the user); the profile adds what only the helpdesk needs: the organization,
notes and tags. A customer without a profile row simply has none of these yet.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    domains = ArrayField(
        models.CharField(max_length=253),
        default=list,
        blank=True,
        help_text=_("Email domains whose new customers join this organization."),
    )
    notes = models.TextField(blank=True)
    shares_tickets = models.BooleanField(
        default=False,
        help_text=_("Members see each other's tickets of this organization in the portal."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [GinIndex(fields=["domains"], name="organization_domains_gin")]

    def __str__(self):
        return self.name


class CustomerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="customer_profile",
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    notes = models.TextField(blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [GinIndex(fields=["tags"], name="customerprofile_tags_gin")]

    def __str__(self):
        return f"Customer profile of {self.user_id}"
