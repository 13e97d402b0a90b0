"""django-q2 entry points of the sla app (they run inside the tenant's schema)."""

from __future__ import annotations

from django.utils import timezone


def profile_rederive_task(profile_id: str, fields: list[str]) -> int:
    """Re-derive the open tickets of an edited profile (see sla_profile_update)."""
    from sla.models import SlaProfile
    from sla.services.profiles import sla_profile_rederive

    profile = SlaProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        return 0
    return sla_profile_rederive(profile=profile, now=timezone.now(), fields=fields)
