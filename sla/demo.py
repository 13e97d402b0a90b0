"""The default profile every tenant starts with, and the demo tenant's business-hours SLAs."""

from __future__ import annotations

from django.conf import settings

from panel1.actors import Actor
from sla import services
from sla.models import SlaProfile
from tickets.models import Priority

DEFAULT_PROFILE_NAME = "Standard"
BERLIN_HOURS = {
    "timezone": "Europe/Berlin",
    **{
        day: {"start": "09:00", "end": "17:00", "enabled": True}
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
    },
    "saturday": {"start": "09:00", "end": "17:00", "enabled": False},
    "sunday": {"start": "09:00", "end": "17:00", "enabled": False},
}
# German nationwide public holidays, 2026 and 2027.
GERMAN_HOLIDAYS = [
    "2026-01-01",
    "2026-04-03",
    "2026-04-06",
    "2026-05-01",
    "2026-05-14",
    "2026-05-25",
    "2026-10-03",
    "2026-12-25",
    "2026-12-26",
    "2027-01-01",
    "2027-03-26",
    "2027-03-29",
    "2027-05-01",
    "2027-05-06",
    "2027-05-17",
    "2027-10-03",
    "2027-12-25",
    "2027-12-26",
]


def default_profile_create(*, tenant) -> bool:
    """Provisioning step: a default around-the-clock profile from DEFAULT_FIRST_RESPONSE_TIME
    and DEFAULT_RESOLUTION_TIME; does nothing when the tenant has a default already."""
    if SlaProfile.objects.filter(is_default=True).exists():
        return False
    existing = SlaProfile.objects.filter(name=DEFAULT_PROFILE_NAME).first()
    if existing is not None:
        services.sla_profile_update(profile=existing, actor=Actor.system(), is_default=True)
        return True
    services.sla_profile_create(
        actor=Actor.system(),
        name=DEFAULT_PROFILE_NAME,
        description="Default targets for every ticket no other profile matches (around the clock).",
        first_response_time=settings.DEFAULT_FIRST_RESPONSE_TIME,
        resolution_time=settings.DEFAULT_RESOLUTION_TIME,
        is_default=True,
    )
    return True


def demo_profiles_create(*, tenant, people) -> bool:
    """Demo step: office-hours SLAs in Berlin (faster for HIGH/URGENT, with escalations) in
    place of the starter profile; the open demo tickets move onto them."""
    if SlaProfile.objects.filter(name="Business hours").exists():
        return False
    system = Actor.system()
    supervisor = people["supervisor@demo.test"]
    services.sla_profile_create(
        actor=system,
        name="Business hours",
        description="Mon-Fri 09:00-17:00 Berlin time, German public holidays off.",
        first_response_time=240,
        next_response_time=480,
        resolution_time=3 * 480,
        is_default=True,
        business_hours=BERLIN_HOURS,
        holidays=GERMAN_HOLIDAYS,
        escalation_rules=[
            {"after_minutes": 2 * 480, "notify_user_ids": [str(supervisor.pk)]},
        ],
    )
    services.sla_profile_create(
        actor=system,
        name="Priority support",
        description="HIGH and URGENT tickets: answered within the hour, fixed within a day.",
        first_response_time=60,
        next_response_time=120,
        resolution_time=480,
        business_hours=BERLIN_HOURS,
        holidays=GERMAN_HOLIDAYS,
        priorities=[Priority.HIGH, Priority.URGENT],
        escalation_rules=[
            {"after_minutes": 120, "notify_user_ids": [str(supervisor.pk)]},
            {
                "after_minutes": 240,
                "assign_to_id": str(supervisor.pk),
                "change_priority": Priority.URGENT,
                "notify_user_ids": [str(supervisor.pk)],
            },
        ],
    )
    # The around-the-clock starter profile is replaced: its open tickets move to the profile
    # that matches them now; closed ones keep their recorded outcomes.
    standard = SlaProfile.objects.filter(name=DEFAULT_PROFILE_NAME, is_default=False).first()
    if standard is not None:
        services.sla_profile_delete(profile=standard, actor=system)
    return True
