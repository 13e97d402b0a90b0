"""The desk's share of a person's data (panel1.privacy): an agent's drafts, saved views,
personal canned responses and presence. Erasure deletes them (shared canned responses stay)."""

from __future__ import annotations

from desk.models import CannedResponse, ReplyDraft, SavedView, TicketPresence
from panel1.accounts.models import User
from panel1.privacy import registry


def export_person(person: User) -> registry.ExportPart:
    return registry.ExportPart(
        data={
            "drafts": [
                {"ticket": d.ticket.number, "content": d.content, "at": d.updated_at.isoformat()}
                for d in ReplyDraft.objects.filter(user=person).select_related("ticket")
            ],
            "saved_views": list(
                SavedView.objects.filter(owner=person).values_list("name", flat=True)
            ),
            "canned_responses": [
                {"title": c.title, "content": c.content}
                for c in CannedResponse.objects.filter(owner=person)
            ],
        }
    )


def erase_person(person: User, pseudonym: str) -> dict[str, int]:
    return {
        "drafts": ReplyDraft.objects.filter(user=person).delete()[0],
        "saved_views": SavedView.objects.filter(owner=person).delete()[0],
        "canned_responses": CannedResponse.objects.filter(owner=person).delete()[0],
        "presence": TicketPresence.objects.filter(user=person).delete()[0],
    }


def register() -> None:
    registry.register(registry.Contributor(name="desk", export=export_person, erase=erase_person))
