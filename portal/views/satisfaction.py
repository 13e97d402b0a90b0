"""The one-click survey link from the mail: works without logging in."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from panel1.exceptions import DomainError
from portal.access import render_portal
from portal.forms import RatingForm, add_domain_errors
from tickets.models import SatisfactionRating
from tickets.satisfaction import (
    CHANGE_WINDOW,
    QUESTIONS,
    satisfaction_answer,
    survey_settings,
    survey_token_ticket,
)


def _submit(ticket, answers: dict, comment: str) -> SatisfactionRating:
    """Answer as the requester (the signed link stands for them); an unchanged answer writes
    nothing, so a second click or a mail scanner's visit adds no audit rows or events."""
    current = SatisfactionRating.objects.filter(ticket=ticket).first()
    unchanged = current and all(getattr(current, q) == answers.get(q) for q in QUESTIONS)
    if unchanged and current.comment == comment.strip():
        return current
    rating, _created = satisfaction_answer(
        ticket=ticket, actor=ticket.requester, comment=comment, via_token=True, **answers
    )
    return rating


def satisfaction_link(request, token: str):
    try:
        ticket = survey_token_ticket(token)
    except DomainError:
        return render_portal(request, "portal/satisfaction.html", {"invalid": True}, status=404)
    current = SatisfactionRating.objects.filter(ticket=ticket).first()
    questions = survey_settings().question_texts(getattr(ticket.requester, "language", ""))
    form = RatingForm(request.POST or None, questions=questions)
    if request.method == "POST":
        if form.is_valid():
            try:
                _submit(ticket, form.answers, form.cleaned_data["comment"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect(reverse("portal:satisfaction", args=[token]))
    else:
        clicked = request.GET.get("rating", "")
        if clicked in {"1", "2", "3", "4", "5"}:
            answers = dict.fromkeys(QUESTIONS, int(clicked))
            try:
                current = _submit(ticket, answers, current.comment if current else "")
            except DomainError as exc:
                messages.error(request, " ".join(str(m) for ms in exc.errors.values() for m in ms))
            else:
                messages.success(
                    request, _("Thank you! Adjust each answer or add a comment below.")
                )
        form = RatingForm(initial=RatingForm.initial_of(current), questions=questions)
    context = {
        "ticket": ticket,
        "rating": current,
        "form": form,
        "changeable_until": current.created_at + CHANGE_WINDOW if current else None,
    }
    return render_portal(request, "portal/satisfaction.html", context)
