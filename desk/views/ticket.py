"""The ticket page: thread, properties edited in place, reply box, live refresh."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from desk import services as desk_services
from desk import timeline
from desk.forms import (
    AssignMeForm,
    CcForm,
    PropertyForm,
    ReplyForm,
    parse_instant,
    split_tags,
)
from desk.kb_panel import kb_panel_needed
from desk.models import ReplyDraft
from desk.routing import agent_rows
from desk.selectors import (
    canned_response_usable,
    presence_others_read,
    requester_other_tickets,
    requester_other_tickets_read,
)
from desk.sla_status import sla_calendar_zone, sla_explanation, sla_summary
from desk.ticket_html import (
    assignee_options,
    category_options,
    choice_options,
    history_html,
    requester_tickets_html,
    thread_html,
)
from desk.views.base import (
    desk_view,
    error_messages,
    etag_of,
    flash_error,
    not_modified_or,
    poll_seconds,
    sidebar_context,
)
from panel1.accounts.services import customer_get_or_create
from panel1.db_reads import all_together
from panel1.exceptions import DomainError, NotFound
from tickets import services
from tickets.category_cache import categories_for_choices
from tickets.customer_selectors import customer_profile_of
from tickets.models import MessageType, Priority, Status, Ticket
from tickets.selectors import (
    attachments_inline,
    cc_users,
    thread_messages_for,
    thread_messages_read,
    ticket_get_for,
    ticket_history_read,
    ticket_history_recent,
)
from tickets.services import ALLOWED_TRANSITIONS, UNSET

MAX_THREAD_EVENTS = 500
REQUESTER_TICKETS = 5


def get_ticket(request, ref: str, **shape) -> Ticket:
    try:
        return ticket_get_for(request.user, ref, **shape)
    except NotFound as exc:
        raise Http404("No such ticket.") from exc


def _with_draft(user_id) -> dict:
    """The user's reply draft of the ticket as JSON, read with the ticket (`_draft_of`)."""
    columns = [field.attname for field in ReplyDraft._meta.concrete_fields]
    drafts = ReplyDraft.objects.filter(ticket=OuterRef("pk"), user_id=user_id)
    json = JSONObject(**{name: name for name in columns})
    return {"draft_inline": Subquery(drafts.values(json=json)[:1])}


def _draft_of(ticket: Ticket) -> ReplyDraft | None:
    row = getattr(ticket, "draft_inline", None)
    if row is None:
        return None
    fields = ReplyDraft._meta.concrete_fields
    values = [None if row[f.attname] is None else f.to_python(row[f.attname]) for f in fields]
    return ReplyDraft.from_db("default", [f.attname for f in fields], values)


def _status_choices(ticket: Ticket):
    allowed = {ticket.status, *ALLOWED_TRANSITIONS[ticket.status]}
    return [(value, label) for value, label in Status.choices if value in allowed]


def _thread_context(request, ticket: Ticket, *, read: dict | None = None) -> dict:
    """`read`: the messages and events `_page_reads` read already."""
    if read is None:
        thread_messages = thread_messages_for(request.user, ticket)
        events = ticket_history_recent(ticket, limit=MAX_THREAD_EVENTS)[::-1]
    else:
        thread_messages, events = read["messages"], read["events"][::-1]
    attachments = [a for m in thread_messages for a in m.attachments.all()]
    return {
        "thread": timeline.build_thread(thread_messages, events),
        "history": events[::-1],
        "attachments": attachments,
        "time_spent": sum(m.time_spent or 0 for m in thread_messages),
        "message_count": sum(1 for m in thread_messages if m.message_type != MessageType.SYSTEM),
    }


def _props_context(request, ticket: Ticket, *, errors=None, conflict=None) -> dict:
    # Status and load next to each name; a full agent is marked and asks before assigning.
    staff = agent_rows()
    return {
        "conflict": conflict,
        "ticket": ticket,
        "status_options": choice_options(_status_choices(ticket), ticket.status),
        "priority_options": choice_options(Priority.choices, ticket.priority),
        "category_options": category_options(categories_for_choices(), ticket.category_id),
        "staff": staff,
        "staff_options": assignee_options(staff, ticket.assignee_id),
        "cc_users": cc_users(ticket),
        "prop_errors": errors or [],
    }


def _thread_markup(thread: dict, props: dict) -> dict:
    """The thread's and the history's markup, once assignee rows can name people."""
    timeline.name_people(thread["history"], props["staff"])
    return {
        "thread_html": thread_html(thread["thread"]),
        "history_html": history_html(thread["history"]),
    }


def _sla_context(ticket: Ticket, now) -> dict:
    return {
        "sla": sla_summary(ticket, now),
        "sla_explanation": sla_explanation(ticket),
        "sla_zone": sla_calendar_zone(ticket),
    }


def _changes_since(request, ticket: Ticket, seen_at) -> list[str]:
    if seen_at is None:
        return []
    events = ticket.history.filter(created_at__gt=seen_at).order_by("created_at", "id")[:50]
    return timeline.changes_since(list(events), user=request.user)


def _live_etag(request, ticket: Ticket, since: str) -> str:
    # SLA countdowns move with the clock: the region is redrawn each minute.
    minute = request.desk_now.replace(second=0, microsecond=0)
    return etag_of(request.user.pk, ticket.pk, ticket.updated_at, since, minute)


def seen_marker(ticket: Ticket, newest_event=UNSET) -> str:
    """What the agent has seen: the later of the ticket's last touch and its newest audit row
    (a service writes the audit row just after touching the ticket)."""
    if newest_event is UNSET:
        newest_event = ticket.history.order_by("-created_at").first()
    newest = newest_event.created_at if newest_event else None
    return max(filter(None, [ticket.updated_at, newest])).isoformat()


def _reply_form(request, ticket: Ticket, draft: ReplyDraft | None, **marker) -> ReplyForm:
    initial = {"seen_at": seen_marker(ticket, **marker)}
    if draft is not None:
        initial.update(
            content=draft.content, internal=draft.is_internal, status_after=draft.status_after
        )
    return ReplyForm(initial=initial)


def _requester_tickets(request, ticket: Ticket) -> list[Ticket]:
    return requester_other_tickets(ticket=ticket, user=request.user, limit=REQUESTER_TICKETS + 1)


def _page_reads(request, ticket: Ticket) -> dict:
    """The thread's messages, the history, who else has the ticket open and the requester's
    other tickets: independent reads of the ticket, sent together (one round trip instead of
    four, `all_together`)."""
    user = request.user
    reads = [
        thread_messages_read(user, ticket),
        ticket_history_read(ticket, limit=MAX_THREAD_EVENTS),
        presence_others_read(ticket=ticket, user=user),
    ]
    requester_read = requester_other_tickets_read(
        ticket=ticket, user=user, limit=REQUESTER_TICKETS + 1
    )
    if requester_read is not None:
        reads.append(requester_read)
    messages, events, others, *requester = all_together(*reads)
    return {
        "messages": attachments_inline(messages),
        "events": events,
        "others": others,
        "requester_tickets": requester[0] if requester else _requester_tickets(request, ticket),
    }


@require_GET
@desk_view
def ticket_page(request, ref: str):
    ticket = get_ticket(
        request,
        ref,
        related=("requester__customer_profile__organization",),
        user_annotations=_with_draft,
    )
    now = request.desk_now
    draft = _draft_of(ticket)
    read = _page_reads(request, ticket)
    thread = _thread_context(request, ticket, read=read)
    newest = thread["history"][0] if thread["history"] else None
    form = _reply_form(request, ticket, draft, newest_event=newest)
    props = _props_context(request, ticket)
    context = {
        **thread,
        **props,
        **_thread_markup(thread, props),
        **_sla_context(ticket, now),
        **sidebar_context(request, counts=False),
        "now": now,
        "form": form,
        "draft": draft,
        "requester_tickets": read["requester_tickets"],
        "requester_tickets_html": requester_tickets_html(
            read["requester_tickets"][:REQUESTER_TICKETS]
        ),
        "requester_profile": customer_profile_of(ticket.requester),
        "requester_tickets_max": REQUESTER_TICKETS,
        "others": read["others"],
        "kb_enabled": kb_panel_needed(),
        "live_poll_seconds": poll_seconds("live"),
        "live_etag": _live_etag(request, ticket, form.initial["seen_at"]),
    }
    return render(request, "desk/ticket.html", context)


@require_GET
@desk_view
def ticket_live(request, ref: str):
    """The thread, properties and history for htmx polling; 304 when nothing changed."""
    ticket = get_ticket(request, ref)
    since = request.GET.get("seen_at", "")
    etag = _live_etag(request, ticket, since)

    def build():
        thread = _thread_context(request, ticket)
        props = _props_context(request, ticket)
        context = {
            **thread,
            **props,
            **_thread_markup(thread, props),
            **_sla_context(ticket, request.desk_now),
            "now": request.desk_now,
            "changes": _changes_since(request, ticket, parse_instant(since)),
            "oob": True,
        }
        return render(request, "desk/_ticket_live.html", context)

    return not_modified_or(request, etag, build)


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = "ticket-changed"
    return response


def _reply_response(request, ticket: Ticket, form: ReplyForm, **extra) -> HttpResponse:
    context = {"ticket": ticket, "form": form, "status_choices": _status_choices(ticket), **extra}
    return render(request, "desk/_reply_form.html", context)


@require_POST
@desk_view
def ticket_reply(request, ref: str):
    """Send a reply or note (and set the status); warn first if others changed the ticket."""
    ticket = get_ticket(request, ref)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _reply_failed(request, ticket, form, [])
    data = form.cleaned_data
    changes = [] if data["confirm"] else _changes_since(request, ticket, data["seen_at"])
    if changes:
        return _collision(request, ticket, form, changes)
    try:
        attachments = services.attachments_prepare(request.FILES.getlist("attachments"))
        macro = canned_response_usable(request.user, data["macro"]) if data["macro"] else None
        message = desk_services.reply_send(
            ticket=ticket,
            actor=request.user,
            content=data["content"],
            internal=data["internal"],
            status_after=data["status_after"],
            time_spent=data["time_spent"],
            attachments=attachments,
            macro=macro,
        )
    except DomainError as exc:
        return _reply_failed(request, ticket, form, error_messages(exc))
    if macro is not None:
        desk_services.canned_response_used(response=macro, actor=request.user)
    kind = _("Internal note added") if data["internal"] else _("Reply sent")
    if not request.htmx:
        if data["internal"]:
            done = _("Internal note added on %(ticket_number)s.")
        else:
            done = _("Reply sent on %(ticket_number)s.")
        messages.success(request, done % {"ticket_number": ticket.number})
        return redirect("desk:ticket", ref=message.ticket.number)
    ticket.refresh_from_db()
    fresh = _reply_form(request, ticket, None)
    return _changed(_reply_response(request, ticket, fresh, sent=kind))


def _reply_failed(request, ticket, form, errors: list[str]) -> HttpResponse:
    if not request.htmx:
        # Without JavaScript the page reloads: keep the text as the draft, so nothing is lost.
        desk_services.reply_draft_save(
            ticket=ticket,
            actor=request.user,
            content=request.POST.get("content", ""),
            is_internal=bool(request.POST.get("internal")),
        )
        for message in errors or [e for errs in form.errors.values() for e in errs]:
            messages.error(request, message)
        return redirect("desk:ticket", ref=ticket.number)
    return _reply_response(request, ticket, form, errors=errors)


def _collision(request, ticket, form, changes: list[str]) -> HttpResponse:
    data = form.data.copy()
    data["seen_at"] = seen_marker(ticket)
    data["confirm"] = "on"
    warned = ReplyForm(data)
    warned.is_valid()
    if not request.htmx:
        desk_services.reply_draft_save(
            ticket=ticket, actor=request.user, content=form.cleaned_data["content"]
        )
        messages.warning(request, "Not sent: the ticket changed. " + "; ".join(changes))
        return redirect("desk:ticket", ref=ticket.number)
    return _changed(_reply_response(request, ticket, warned, changes=changes))


def _props_response(request, ticket: Ticket, errors=None, conflict=None) -> HttpResponse:
    if not request.htmx:
        for error in errors or []:
            messages.error(request, error)
        if conflict:
            messages.warning(request, conflict["message"])
        return redirect("desk:ticket", ref=ticket.number)
    fresh = get_ticket(request, str(ticket.pk))
    context = _props_context(request, fresh, errors=errors, conflict=conflict)
    response = render(request, "desk/_ticket_props.html", context)
    return _changed(response) if not (errors or conflict) else response


@require_POST
@desk_view
def ticket_props(request, ref: str):
    """Change one or more properties in place (each through its service)."""
    ticket = get_ticket(request, ref)
    form = PropertyForm(request.POST)
    if not form.is_valid():
        errors = [f"{k}: {' '.join(v)}" for k, v in form.errors.items()]
        return _props_response(request, ticket, errors)
    try:
        _apply_props(request, ticket, form)
    except services.TicketVersionConflict as exc:
        return _props_response(request, ticket, conflict=_edit_conflict(exc.ticket, form))
    except DomainError as exc:
        return _props_response(request, ticket, error_messages(exc))
    return _props_response(request, ticket)


@transaction.atomic
def _apply_props(request, ticket: Ticket, form: PropertyForm) -> None:
    data = form.cleaned_data
    fields = form.changed_fields(request.POST)
    actor = request.user
    if data["version"] and fields:
        # Checked once under the ticket's lock, held while every service below writes.
        ticket = services.ticket_expect_version(ticket=ticket, expected_versions={data["version"]})
    if "status" in fields and data["status"]:
        services.ticket_status_change(
            ticket=ticket, actor=actor, status=data["status"], reason=data["reason"]
        )
    if "assignee" in fields:
        services.ticket_assign(ticket=ticket, actor=actor, assignee=data["assignee"])
    changes = {}
    if "priority" in fields and data["priority"]:
        changes["priority"] = data["priority"]
    if "category" in fields:
        changes["category"] = data["category"]
    if "tags" in fields:
        changes["tags"] = split_tags(data["tags"])
    if changes:
        services.ticket_update(ticket=ticket, actor=actor, reason=data["reason"], **changes)


_PROP_LABELS = {
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "category": gettext_lazy("Category"),
    "assignee": gettext_lazy("Assignee"),
    "tags": gettext_lazy("Tags"),
}


def _edit_conflict(current: Ticket, form: PropertyForm) -> dict:
    """What changed meanwhile, for the fields this edit touched, and how to apply it anyway."""
    data, names = form.cleaned_data, form.changed_fields(form.data)
    rows = [
        {
            "label": _PROP_LABELS[name],
            "now": _shown(name, getattr(current, name)),
            "yours": _shown(name, data.get(name) if name != "tags" else split_tags(data["tags"])),
        }
        for name in names
    ]
    return {
        "message": f"{current.number} was changed meanwhile: it now reads "
        + "; ".join(f"{row['label']}: {row['now']}" for row in rows)
        + ".",
        "rows": rows,
        "resubmit": {name: form.data.get(name, "") for name in names},
        "reason": data.get("reason", ""),
    }


def _shown(name: str, value) -> str:
    if value in (None, "", []):
        return "none"
    if name == "tags":
        return ", ".join(value)
    if name == "status":
        return Status(value).label
    if name == "priority":
        return Priority(value).label
    return value.get_full_name() if name == "assignee" else str(value)


@require_POST
@desk_view
def ticket_assign_me(request, ref: str):
    """Take an unassigned ticket; a ticket someone else holds is taken only after the agent
    confirmed it for the version they were shown (else: the question, with the holder)."""
    ticket = get_ticket(request, ref)
    form = AssignMeForm(request.POST)
    take = form.is_valid() and form.cleaned_data["take"]
    version = form.cleaned_data.get("version") if take else None
    try:
        services.ticket_assign(
            ticket=ticket,
            actor=request.user,
            assignee=request.user,
            only_if_unassigned=not take,
            expected_versions={version} if version else None,
        )
    except (services.TicketAlreadyAssigned, services.TicketVersionConflict) as exc:
        return _props_response(request, ticket, conflict=_takeover_question(exc.ticket))
    except DomainError as exc:
        if request.htmx:
            return _props_response(request, ticket, error_messages(exc))
        flash_error(request, exc)
    return _props_response(request, ticket)


def _takeover_question(current: Ticket) -> dict:
    holder = (
        (current.assignee.get_full_name() or current.assignee.email) if current.assignee else ""
    )
    message = (
        f"{current.number} is assigned to {holder}. Take it over?"
        if holder
        else f"{current.number} was changed meanwhile; it is unassigned now."
    )
    return {"message": message, "takeover": bool(holder), "version": current.version}


@require_POST
@desk_view
def ticket_cc(request, ref: str):
    ticket = get_ticket(request, ref)
    form = CcForm(request.POST)
    if not form.is_valid():
        return _props_response(request, ticket, ["Enter a valid email address."])
    try:
        if form.cleaned_data["remove"]:
            user = ticket.cc.filter(pk=form.cleaned_data["remove"]).first()
            if user is not None:
                services.ticket_cc_remove(ticket=ticket, actor=request.user, user=user)
        elif form.cleaned_data["email"]:
            user, _unused = customer_get_or_create(email=form.cleaned_data["email"])
            services.ticket_cc_add(ticket=ticket, actor=request.user, user=user)
    except DomainError as exc:
        return _props_response(request, ticket, error_messages(exc))
    return _props_response(request, ticket)
