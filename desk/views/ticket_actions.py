"""The ticket page's actions menu: links (related, duplicate, parent/child), split selected
messages into a new ticket, delete (admins, confirmed by typing the number)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from desk.views.base import desk_view, error_messages, sidebar_context
from desk.views.ticket import get_ticket
from panel1.exceptions import DomainError, NotFound
from tickets import services
from tickets.models import MessageType, Ticket
from tickets.selectors import messages_for, ticket_get_for
from tickets.services.relations import LINK_KINDS


def _flash(request, exc: DomainError) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


def links_context(request, ticket: Ticket) -> dict:
    visible = Ticket.objects.visible_to(request.user).only("id", "number", "subject", "status")
    return {
        "ticket": ticket,
        "related": list(visible.filter(related=ticket).order_by("number")),
        "children": list(visible.filter(parent=ticket).order_by("number")),
        "duplicates": list(visible.filter(duplicate_of=ticket).order_by("number")),
        "parent": visible.filter(pk=ticket.parent_id).first() if ticket.parent_id else None,
        "duplicate_of": (
            visible.filter(pk=ticket.duplicate_of_id).first() if ticket.duplicate_of_id else None
        ),
        "link_kinds": LINK_KINDS,
    }


@require_GET
@desk_view
def links(request, ref: str):
    """The Links panel (loaded after the page, so the page itself stays within budget)."""
    ticket = get_ticket(request, ref)
    return render(request, "desk/_ticket_links.html", links_context(request, ticket))


@require_POST
@desk_view
def link(request, ref: str):
    ticket = get_ticket(request, ref)
    kind = request.POST.get("kind", "related")
    try:
        other = ticket_get_for(request.user, request.POST.get("other", "").strip())
    except NotFound:
        messages.error(request, _("No such ticket to link."))
        return redirect("desk:ticket", ref=ticket.number)
    try:
        services.ticket_link(
            ticket=ticket,
            other=other,
            actor=request.user,
            kind=kind,
            unlink=request.POST.get("unlink") == "1",
        )
    except DomainError as exc:
        _flash(request, exc)
    else:
        verb = "Unlinked" if request.POST.get("unlink") == "1" else "Linked"
        messages.success(request, f"{verb} {other.number}.")
    return redirect("desk:ticket", ref=ticket.number)


@require_http_methods(["GET", "POST"])
@desk_view
def split(request, ref: str):
    ticket = get_ticket(request, ref)
    thread = [m for m in messages_for(request.user, ticket) if m.message_type != MessageType.SYSTEM]
    if request.method == "POST":
        chosen_ids = set(request.POST.getlist("messages"))
        chosen = [m for m in thread if str(m.pk) in chosen_ids]
        try:
            new = services.ticket_split(
                messages=chosen, actor=request.user, subject=request.POST.get("subject", "")
            )
        except DomainError as exc:
            _flash(request, exc)
            return redirect("desk:ticket-split", ref=ticket.number)
        count = len(chosen)
        messages.success(
            request,
            ngettext(
                "Moved %(count)s message to %(new_number)s.",
                "Moved %(count)s messages to %(new_number)s.",
                count,
            )
            % {"count": count, "new_number": new.number},
        )
        return redirect("desk:ticket", ref=new.number)
    context = {
        **sidebar_context(request, counts=False),
        "ticket": ticket,
        "thread": thread,
    }
    return render(request, "desk/ticket_split.html", context)


@require_POST
@desk_view
def delete(request, ref: str):
    ticket = get_ticket(request, ref)
    if request.POST.get("confirm", "").strip().upper() != ticket.number:
        messages.error(
            request,
            _("Type %(ticket_number)s to confirm the deletion.") % {"ticket_number": ticket.number},
        )
        return redirect("desk:ticket", ref=ticket.number)
    try:
        services.ticket_delete(ticket=ticket, actor=request.user)
    except DomainError as exc:
        _flash(request, exc)
        return redirect("desk:ticket", ref=ticket.number)
    messages.success(request, _("Deleted %(ticket_number)s.") % {"ticket_number": ticket.number})
    return redirect("desk:queue", key="open")


@require_POST
@desk_view
def spam(request, ref: str):
    ticket = get_ticket(request, ref)
    try:
        services.ticket_mark_spam(ticket=ticket, actor=request.user)
    except DomainError as exc:
        _flash(request, exc)
        return redirect("desk:ticket", ref=ticket.number)
    if ticket.requester.is_customer:
        done = _("Marked %(ticket_number)s as spam and blocked its sender.")
    else:
        done = _("Marked %(ticket_number)s as spam.")
    messages.success(request, done % {"ticket_number": ticket.number})
    return redirect("desk:queue", key="open")
