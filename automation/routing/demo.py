"""The demo tenant routes: load balanced with the previous-agent modifier, and agents with
different skills, languages and capacities."""

from __future__ import annotations

from django.db import transaction

from automation.routing.models import RoutingSettings
from automation.routing.services import routing_settings_update
from tickets.availability import language_codes
from tickets.models import AgentProfile
from tickets.services.categories import agent_profile_create

DEMO_AGENTS = {
    # email: (status, capacity, skills, languages (those the site offers are kept))
    "alice@demo.test": ("online", 8, ["billing", "refunds"], ["en", "de"]),
    "bob@demo.test": ("online", 5, ["hardware", "network"], ["en", "fr", "es"]),
    "supervisor@demo.test": ("away", 3, ["escalations"], ["en", "pt-br"]),
}


def demo_routing_create(*, tenant, people) -> bool:
    """Set up routing once the seed commits, so the sample history stays as written; the
    agents coming online then route the waiting demo tickets."""
    if RoutingSettings.objects.filter(strategy="load_balanced").exists():
        return False
    transaction.on_commit(lambda: _demo_routing_create(people))
    return True


@transaction.atomic
def _demo_routing_create(people) -> None:
    admin = people.get("admin@demo.test")
    routing_settings_update(actor=admin, strategy="load_balanced", previous_agent=True)
    offered = set(language_codes())
    for email, (status, capacity, skills, languages) in DEMO_AGENTS.items():
        user = people.get(email)
        if user is None or AgentProfile.objects.filter(user=user).exists():
            continue
        agent_profile_create(
            actor=admin,
            user=user,
            status=status,
            capacity=capacity,
            skills=skills,
            languages=[code for code in languages if code in offered],
        )
