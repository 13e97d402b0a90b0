"""The one-click rating link from the resolution mail: works without logging in."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from panel1.exceptions import DomainError
from portal.access import render_portal
from portal.forms import RatingForm, add_domain_errors
from tickets.models import SatisfactionRating
from tickets.satisfaction import CHANGE_WINDOW, satisfaction_submit, survey_token_ticket


def _submit(ticket, rating: int, comment: str) -> SatisfactionRating:
    """Rate as the requester (the signed link stands for them); an unchanged rating writes
    nothing, so a second click or a mail scanner's visit adds no audit rows or events."""
    current = SatisfactionRating.objects.filter(ticket=ticket).first()
    if current and current.rating == rating and current.comment == comment.strip():
        return current
    return satisfaction_submit(
        ticket=ticket, actor=ticket.requester, rating=rating, comment=comment, via_token=True
    )


def satisfaction_link(request, token: str):
    try:
        ticket = survey_token_ticket(token)
    except DomainError:
        return render_portal(request, "portal/satisfaction.html", {"invalid": True}, status=404)
    current = SatisfactionRating.objects.filter(ticket=ticket).first()
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                _submit(ticket, form.cleaned_data["rating"], form.cleaned_data["comment"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect(reverse("portal:satisfaction", args=[token]))
    else:
        clicked = request.GET.get("rating", "")
        if clicked in {"1", "2", "3", "4", "5"}:
            try:
                current = _submit(ticket, int(clicked), current.comment if current else "")
            except DomainError as exc:
                messages.error(request, " ".join(str(m) for ms in exc.errors.values() for m in ms))
            else:
                messages.success(request, _("Thank you! Add a comment below if you like."))
        initial = {"rating": current.rating, "comment": current.comment} if current else None
        form = RatingForm(initial=initial)
    context = {
        "ticket": ticket,
        "rating": current,
        "form": form,
        "changeable_until": current.created_at + CHANGE_WINDOW if current else None,
    }
    return render_portal(request, "portal/satisfaction.html", context)
