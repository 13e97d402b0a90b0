"""A tenant's notification texts: save an override, or go back to the default; audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.content_language import default_language, language_error, normalize_language
from panel1.exceptions import DomainError
from tickets.email.rendering import template_errors
from tickets.models import EmailTemplate


@transaction.atomic
def email_template_save(
    *,
    actor: User | Actor | None,
    key: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    is_active: bool = True,
    language: str = "",
) -> EmailTemplate:
    """Create or change the tenant's text for notification `key` in `language` (default: the
    tenant's default language; placeholders checked)."""
    language = check_text_language(language)
    subject = (subject or "").strip()
    errors = template_errors(key=key, subject=subject, body_text=body_text, body_html=body_html)
    if not (subject or "").strip():
        errors.setdefault("subject", []).append(_("A subject is required."))
    if not (body_text or "").strip():
        errors.setdefault("body_text", []).append(_("Write the text of the mail."))
    if errors:
        raise DomainError(errors)
    template = EmailTemplate.objects.select_for_update().filter(key=key, language=language).first()
    values = {"subject": subject, "body_text": body_text, "body_html": body_html or ""}
    values["is_active"] = bool(is_active)
    if template is None:
        template = EmailTemplate.objects.create(key=key, language=language, **values)
        changes = {"created": True}
    else:
        changes = {
            name: [getattr(template, name), value]
            for name, value in values.items()
            if getattr(template, name) != value
        }
        if not changes:
            return template
        for name, value in values.items():
            setattr(template, name, value)
        template.save()
    fields = sorted(name for name in changes if name != "created")
    audit_record(
        actor=actor,
        action="email_template.saved",
        target=template,
        details={"fields": fields, "language": language},
    )
    return template


@transaction.atomic
def email_template_reset(*, actor: User | Actor | None, key: str, language: str = "") -> None:
    """Drop the tenant's text in `language` (default: the tenant default): the default
    language's text (or the built-in default) applies again."""
    language = check_text_language(language)
    template = EmailTemplate.objects.filter(key=key, language=language).first()
    if template is None:
        return
    audit_record(
        actor=actor,
        action="email_template.reset",
        target=template,
        details={"key": key, "language": language},
    )
    template.delete()


def check_text_language(language: str | None) -> str:
    """A shipped language code for a per-language text (empty: the tenant default)."""
    if not language:
        return default_language()
    code = normalize_language(language)
    if code is None or code != str(language).strip().lower():
        raise DomainError({"language": [language_error(language)]})
    return code
