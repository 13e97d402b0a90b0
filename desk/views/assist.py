"""Helpers around the reply box: drafts, presence, canned responses, preview, KB, files."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from desk import services as desk_services
from desk.forms import DraftForm
from desk.kb_panel import kb_suggestions as suggest_articles
from desk.macros import macro_summary
from desk.models import CannedResponse, PresenceState
from desk.placeholders import fill_placeholders, placeholder_values
from desk.selectors import canned_response_list_for, presence_list_others
from desk.views.base import desk_view
from desk.views.ticket import get_ticket
from panel1.markdown import render_markdown
from panel1.tenants.services import current_tenant
from tickets.downloads import attachment_preview_response, attachment_response
from tickets.models import Attachment, Message, Ticket


@require_POST
@desk_view
def draft_save(request, ref: str):
    """Autosave of the reply box (htmx, every pause in typing, and on leaving the page)."""
    ticket = get_ticket(request, ref)
    form = DraftForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Draft not saved.", status=400)
    data = form.cleaned_data
    draft = desk_services.reply_draft_save(
        ticket=ticket,
        actor=request.user,
        content=data["content"],
        is_internal=data["internal"],
        status_after=data["status_after"],
    )
    return render(request, "desk/_draft_status.html", {"draft": draft})


@require_POST
@desk_view
def presence(request, ref: str):
    """Heartbeat: I am viewing (or typing on) this ticket; answer who else is."""
    ticket = get_ticket(request, ref)
    state = request.POST.get("state", PresenceState.VIEWING)
    if state == "LEAVE":
        desk_services.presence_leave(ticket=ticket, actor=request.user)
        return HttpResponse(status=204)
    desk_services.presence_touch(ticket=ticket, actor=request.user, state=state)
    others = presence_list_others(ticket=ticket, user=request.user)
    return render(request, "desk/_presence.html", {"others": others})


def _ticket_for_placeholders(request) -> Ticket | None:
    ref = request.GET.get("ticket")
    if not ref:
        return None
    return get_ticket(request, ref)


@require_GET
@desk_view
def canned_search(request):
    """Canned responses matching `q`, placeholders filled for `ticket` when given."""
    ticket = _ticket_for_placeholders(request)
    results = canned_response_list_for(
        request.user,
        query=request.GET.get("q", ""),
        category_id=ticket.category_id if ticket else None,
    )
    values = None
    if ticket is not None:
        values = placeholder_values(
            ticket=ticket, agent=request.user, company_name=current_tenant().brand_name
        )
    items = [
        {
            "response": r,
            "text": fill_placeholders(r.content, values) if values else r.content,
            "summary": macro_summary(r.actions or {}),
        }
        for r in results
    ]
    return render(request, "desk/_canned_results.html", {"items": items})


@require_POST
@desk_view
def canned_used(request, pk):
    response = CannedResponse.objects.filter(pk=pk, is_active=True).first()
    if response is None:
        raise Http404("No such canned response.")
    desk_services.canned_response_used(response=response, actor=request.user)
    return HttpResponse(status=204)


@require_POST
@desk_view
def preview(request):
    html = render_markdown(request.POST.get("content", "")[:200_000], hard_breaks=True)
    return render(request, "desk/_preview.html", {"html": html})


@require_GET
@desk_view
def kb_suggestions(request, ref: str):
    ticket = get_ticket(request, ref)
    first = Message.objects.filter(ticket=ticket).order_by("created_at").first()
    text = f"{ticket.subject}\n{first.content[:2000] if first else ''}"
    # Articles to send the customer: in the ticket's language when it is known.
    suggestions = suggest_articles(user=request.user, text=text, language=ticket.language)
    return render(request, "desk/_kb_suggestions.html", {"suggestions": suggestions})


def _visible_attachment(request, pk) -> Attachment:
    visible = Message.objects.visible_to(request.user)
    attachment = Attachment.objects.filter(pk=pk, message__in=visible.values("pk")).first()
    if attachment is None:
        raise Http404("No such file.")
    return attachment


@require_GET
@desk_view
def attachment_download(request, pk):
    """The file, if the user may see its message (the API's rule and response)."""
    return attachment_response(_visible_attachment(request, pk), user=request.user)


@require_GET
@desk_view
def attachment_preview(request, pk, size: str):
    """A re-encoded thumbnail ("thumb") or screen-sized view ("view") of an image file."""
    return attachment_preview_response(_visible_attachment(request, pk), size)
