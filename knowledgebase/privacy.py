"""The knowledge base's share of a person's data (panel1.privacy): their article feedback and
their searches. Erasure keeps the votes (counts stay right; the voter is pseudonymised with
the account; their comments go) and cuts searches loose from the person, dropping the typed
text."""

from __future__ import annotations

from knowledgebase.models import ArticleFeedback, SearchRecord
from panel1.accounts.models import User
from panel1.privacy import registry

REDACTED = "[redacted]"


def export_person(person: User) -> registry.ExportPart:
    feedback = ArticleFeedback.objects.filter(user=person).select_related("article")
    searches = SearchRecord.objects.filter(user=person).order_by("created_at")
    return registry.ExportPart(
        data={
            "article_feedback": [
                {
                    "article": f.article.slug,
                    "helpful": f.helpful,
                    "comment": f.comment,
                    "at": f.updated_at.isoformat(),
                }
                for f in feedback
            ],
            "searches": [
                {"query": s.query, "results": s.result_count, "at": s.created_at.isoformat()}
                for s in searches
            ],
        }
    )


def erase_person(person: User, pseudonym: str) -> dict[str, int]:
    searches = SearchRecord.objects.filter(user=person).update(
        user=None, session_key="", query=REDACTED, normalized_query=REDACTED, corrected_query=""
    )
    # What they wrote after a "No" is their text: it goes; the vote itself stays.
    comments = ArticleFeedback.objects.filter(user=person).exclude(comment="").update(comment="")
    return {
        "searches": searches,
        "feedback_comments": comments,
        "feedback_kept": ArticleFeedback.objects.filter(user=person).count(),
    }


def register() -> None:
    registry.register(
        registry.Contributor(name="knowledgebase", export=export_person, erase=erase_person)
    )
