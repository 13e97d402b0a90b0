"""Automation's share of a person's data (panel1.privacy): outbound webhook payloads name
requesters and assignees. Exports carry nothing from here (the payloads describe tickets the
tickets export already covers); erasures replace the person's address and name in them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from automation.models import WebhookDelivery
from panel1.accounts.models import User
from panel1.privacy import registry
from panel1.privacy.pseudonyms import pseudonym_email
from panel1.privacy.scrub import person_terms, scrub_json_rows


def export_person(person: User) -> registry.ExportPart:
    return registry.ExportPart(data={})


def erase_person(person: User, pseudonym: str) -> dict[str, int]:
    terms = person_terms(person, pseudonym_email(person.pk), pseudonym)
    return {"webhook_payloads": scrub_json_rows(WebhookDelivery.objects.all(), ["payload"], terms)}


def rule_runs_prune(cutoff) -> int:
    from automation.models import RuleRun

    return RuleRun.objects.filter(created_at__lt=cutoff).delete()[0]


def register() -> None:
    from panel1.privacy.retention import register_prunable

    register_prunable(name="automation_runs", label=_("Automation run logs"), prune=rule_runs_prune)
    registry.register(
        registry.Contributor(name="automation", export=export_person, erase=erase_person)
    )
