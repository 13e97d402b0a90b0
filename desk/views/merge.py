"""The merge dialog: preview what moves where, choose the survivor, then merge.

Bulk merge in the queue and "Merge into…" on a ticket both open this dialog (htmx into a
<dialog>; without JavaScript, the same content as a page). Nothing is merged before the
agent has chosen the surviving ticket and confirmed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from desk import services as desk_services
from desk.views.base import desk_view, error_messages, sidebar_context
from panel1.exceptions import DomainError
from panel1.ids import is_uuid
from tickets.merge_preview import merge_preview
from tickets.models import Ticket

MAX_MERGE = 50


def merge_url(ticket_ids, **extra) -> str:
    params = [("tickets", str(pk)) for pk in ticket_ids] + list(extra.items())
    return f"{reverse('desk:merge')}?{urlencode(params)}"


def _tickets(request, data) -> list[Ticket]:
    ids = [v for v in data.getlist("tickets") if is_uuid(v)][:MAX_MERGE]
    visible = Ticket.objects.visible_to(request.user).select_related("requester")
    found = list(visible.filter(pk__in=ids).defer("search_vector"))
    number = " ".join((data.get("add") or "").split()).upper()
    if number and number not in {t.number for t in found}:
        extra = visible.filter(number=number).defer("search_vector").first()
        if extra is not None:
            found.append(extra)
    return sorted(found, key=lambda t: (t.created_at, t.number))


def _target(tickets: list[Ticket], ref: str | None) -> Ticket | None:
    return next((t for t in tickets if str(t.pk) == (ref or "")), None)


@require_GET
@desk_view
def merge_dialog(request):
    tickets = _tickets(request, request.GET)
    target = _target(tickets, request.GET.get("target"))
    add = (request.GET.get("add") or "").strip()
    context = {
        "tickets": tickets,
        "preview": merge_preview(
            tickets=tickets, target=target, make_public=request.GET.get("make_public") == "on"
        ),
        "target": target,
        "not_found": add and add.upper() not in {t.number for t in tickets},
        "add": add,
        "next": request.GET.get("next", ""),
    }
    if request.htmx:
        return render(request, "desk/_merge_dialog.html", context)
    context.update(sidebar_context(request, counts=False))
    return render(request, "desk/merge.html", context)


@require_POST
@desk_view
def merge_apply(request):
    tickets = _tickets(request, request.POST)
    target = _target(tickets, request.POST.get("target"))
    try:
        result = desk_services.tickets_merge(
            actor=request.user,
            tickets=tickets,
            target=target,
            make_public=request.POST.get("make_public") == "on",
        )
    except DomainError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect(merge_url([t.pk for t in tickets]))
    if result.done:
        count = len(result.done)
        messages.success(
            request,
            ngettext(
                "Merged %(count)s ticket into %(target_number)s.",
                "Merged %(count)s tickets into %(target_number)s.",
                count,
            )
            % {"count": count, "target_number": target.number},
        )
    for ticket, error in result.failed:
        messages.error(
            request,
            _("%(ticket_number)s was not merged: %(error)s")
            % {"ticket_number": ticket.number, "error": error},
        )
    return redirect("desk:ticket", ref=target.number)
