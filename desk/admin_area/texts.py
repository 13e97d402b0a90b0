"""Texts per language: the portal welcome text, the survey questions and the auto-responses,
each with one version per offered language; a language without one gets the default
language's. (The notification mails have their own screen, with a language switch.)"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from automation.models import AutoResponseTemplate, AutoResponseTranslation
from automation.responses import template_text
from automation.services import template_save, template_translation_save
from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from panel1.content_language import (
    default_language,
    language_name,
    normalize_language,
    offered_languages,
)
from panel1.exceptions import DomainError
from tickets.models import LocalizedText, TextKey
from tickets.satisfaction import survey_settings
from tickets.services.texts import (
    MAX_QUESTION,
    MAX_TEXT,
    localized_text_save,
    survey_question_languages,
    text_for,
)


class WelcomeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Welcome text"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Shown under the portal's heading. Empty: the default language's."),
    )


class SurveyForm(forms.Form):
    response_time = forms.CharField(
        label=gettext_lazy("Response time question"), required=False, max_length=MAX_QUESTION
    )
    solution = forms.CharField(
        label=gettext_lazy("Solution question"), required=False, max_length=MAX_QUESTION
    )
    team = forms.CharField(
        label=gettext_lazy("Team question"), required=False, max_length=MAX_QUESTION
    )


class AutoResponseForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), required=False, max_length=255)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Placeholders such as {{ticket_number}}. Empty: the default language's."
        ),
    )


def _languages(present) -> list[dict]:
    present = set(present)
    default = default_language()
    return [
        {
            "code": code,
            "name": language_name(code),
            "present": code in present,
            "default": code == default,
        }
        for code in offered_languages()
    ]


def _language_or_404(request) -> str:
    asked = request.GET.get("lang") or ""
    language = normalize_language(asked) if asked else default_language()
    if language is None or language not in offered_languages():
        raise Http404
    return language


@admin_view("texts")
def texts_overview(request):
    """Every per-language text, with the languages it has and those it misses."""
    default = default_language()
    translated: dict[int, set[str]] = {}
    for template_id, language in AutoResponseTranslation.objects.values_list(
        "template_id", "language"
    ):
        translated.setdefault(template_id, set()).add(language)
    rows = [
        {
            "title": _("Portal welcome text"),
            "url_kind": "welcome",
            "name": "",
            "languages": _languages(
                LocalizedText.objects.filter(key=TextKey.PORTAL_WELCOME).values_list(
                    "language", flat=True
                )
            ),
        },
        {
            "title": _("Satisfaction survey questions"),
            "url_kind": "survey",
            "name": "",
            "languages": _languages(survey_question_languages()),
        },
    ]
    for template in AutoResponseTemplate.objects.order_by("name"):
        rows.append(
            {
                "title": _("Auto-response: %(name)s") % {"name": template.name},
                "url_kind": "auto-response",
                "name": template.name,
                "languages": _languages(translated.get(template.pk, set()) | {default}),
            }
        )
    return admin_render(request, "desk/admin/texts.html", {"rows": rows})


@admin_view("texts")
def welcome_edit(request):
    language = _language_or_404(request)
    current = LocalizedText.objects.filter(key=TextKey.PORTAL_WELCOME, language=language).first()
    initial = {"text": current.text if current else text_for(TextKey.PORTAL_WELCOME, language)}
    form = WelcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            localized_text_save(
                actor=request.user,
                key=TextKey.PORTAL_WELCOME,
                language=language,
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Text saved."))
            return redirect("desk:admin-texts")
    return _edit_page(request, form, _("Portal welcome text"), language, has_own=bool(current))


@admin_view("texts")
def survey_edit(request):
    from tickets.services.texts import survey_questions_save

    language = _language_or_404(request)
    options = survey_settings()
    own = (options.questions or {}).get(language) if isinstance(options.questions, dict) else None
    form = SurveyForm(request.POST or None, initial=options.question_texts(language))
    if request.method == "POST" and form.is_valid():
        try:
            survey_questions_save(
                actor=request.user, language=language, questions=form.cleaned_data
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Questions saved."))
            return redirect("desk:admin-texts")
    title = _("Satisfaction survey questions")
    return _edit_page(request, form, title, language, has_own=bool(own))


@admin_view("texts")
def auto_response_edit(request, name):
    template = get_object_or_404(AutoResponseTemplate, name=name)
    language = _language_or_404(request)
    is_default = language == default_language()
    own = is_default or template.translations.filter(language=language).exists()
    subject, body = template_text(template, language)
    form = AutoResponseForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            _auto_response_save(request, template, language, form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Auto-response saved."))
            return redirect("desk:admin-texts")
    title = _("Auto-response: %(name)s") % {"name": template.name}
    return _edit_page(request, form, title, language, has_own=own)


def _auto_response_save(request, template, language: str, data: dict) -> None:
    if language != default_language():
        template_translation_save(actor=request.user, template=template, language=language, **data)
        return
    template_save(
        actor=request.user,
        template=template,
        name=template.name,
        description=template.description,
        is_active=template.is_active,
        subject=data["subject"],
        body=data["body"],
    )


def _edit_page(request, form, title: str, language: str, *, has_own: bool):
    context = {
        "form": form,
        "title": title,
        "language": language,
        "language_label": language_name(language),
        "has_own": has_own,
        "languages": [{"code": c, "name": language_name(c)} for c in offered_languages()],
    }
    return admin_render(
        request, "desk/admin/text_form.html", context, status=400 if form.errors else 200
    )
