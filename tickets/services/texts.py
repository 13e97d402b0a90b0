"""Per-language texts the tenant edits: the portal welcome text and the survey questions.

Lookups take `language=None` to mean the current language (`get_language()`, which the
request or the mail being rendered activated) and fall back to the tenant's default language.
"""

from __future__ import annotations

from django.db import transaction

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.content_language import fallback_chain
from panel1.exceptions import DomainError
from tickets.models import LocalizedText, SurveySettings, TextKey
from tickets.models.survey import DEFAULT_QUESTIONS
from tickets.services.email_templates import check_text_language

MAX_TEXT = 5000
MAX_QUESTION = 300


def text_for(key: str, language: str | None = None) -> str:
    """The tenant's text for `key` in `language` (default: the current one), else in the
    tenant's default language, else ""."""
    chain = fallback_chain(language)
    found = dict(
        LocalizedText.objects.filter(key=key, language__in=chain).values_list("language", "text")
    )
    return next((found[code] for code in chain if code in found), "")


def text_languages(key: str) -> list[str]:
    """The languages `key` has a text in."""
    return list(LocalizedText.objects.filter(key=key).values_list("language", flat=True))


def _clean(text: str, *, limit: int, field: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise DomainError({field: [f"Use at most {limit} characters."]})
    return text


@transaction.atomic
def localized_text_save(
    *, actor: User | Actor | None, key: str, language: str, text: str
) -> LocalizedText | None:
    """Set the tenant's text for `key` in `language`; an empty text removes it (the default
    language's applies again)."""
    if key not in TextKey.values:
        raise DomainError({"key": [f"{key!r} is not a text the tenant can edit."]})
    language = check_text_language(language)
    text = _clean(text, limit=MAX_TEXT, field="text")
    existing = LocalizedText.objects.filter(key=key, language=language)
    if not text:
        removed, _ = existing.delete()
        if removed:
            audit_record(
                actor=actor, action="text.removed", target=None,
                details={"key": key, "language": language},
            )  # fmt: skip
        return None
    saved, _ = LocalizedText.objects.update_or_create(
        key=key, language=language, defaults={"text": text}
    )
    audit_record(
        actor=actor, action="text.saved", target=saved, details={"key": key, "language": language}
    )
    return saved


@transaction.atomic
def survey_questions_save(
    *, actor: User | Actor | None, language: str, questions: dict[str, str]
) -> SurveySettings:
    """Set the survey's question texts in `language`; empty ones use the default language's
    (then the built-in) text."""
    language = check_text_language(language)
    unknown = set(questions) - set(DEFAULT_QUESTIONS)
    if unknown:
        raise DomainError({"questions": [f"Unknown questions: {', '.join(sorted(unknown))}."]})
    texts = {
        name: _clean(value, limit=MAX_QUESTION, field=name) for name, value in questions.items()
    }
    options, _ = SurveySettings.objects.select_for_update().get_or_create(pk=1)
    stored = dict(options.questions) if isinstance(options.questions, dict) else {}
    kept = {name: value for name, value in texts.items() if value}
    if kept:
        stored[language] = kept
    else:
        stored.pop(language, None)
    options.questions = stored
    options.save(update_fields=["questions"])
    audit_record(
        actor=actor, action="survey.questions_saved", target=options,
        details={"language": language, "questions": sorted(kept)},
    )  # fmt: skip
    return options


def survey_question_languages() -> list[str]:
    options = SurveySettings.objects.filter(pk=1).first()
    stored = options.questions if options and isinstance(options.questions, dict) else {}
    return [
        code for code, texts in stored.items() if isinstance(texts, dict) and any(texts.values())
    ]
