"""My tickets: list, new request, the conversation, reply, resolve, rate, CC, files."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panel1.exceptions import DomainError
from portal.access import portal_login_required, render_portal, verified_required
from portal.forms import CCForm, NewTicketForm, RatingForm, ReplyForm, add_domain_errors
from portal.selectors import (
    CLOSED_STATUSES,
    LIST_SCOPES,
    is_participant,
    portal_messages,
    portal_shared_organization,
    portal_ticket_counts,
    portal_ticket_get,
    portal_ticket_list,
)
from portal.services import portal_cc_add, portal_kb_suggestion_opened
from tickets import services
from tickets.downloads import attachment_preview_response, attachment_response
from tickets.models import (
    Attachment,
    Channel,
    Message,
    Priority,
    SatisfactionRating,
    Status,
    Ticket,
)
from tickets.presentation import conversation_html
from tickets.satisfaction import CHANGE_WINDOW, satisfaction_answer, survey_settings

PAGE_SIZE = 20
# Service field names -> form field names, for showing a service's errors on the form.
NEW_TICKET_FIELDS = {"content": "description"}


def _detail_url(ticket: Ticket, anchor: str = "") -> str:
    url = reverse("portal:ticket_detail", args=[ticket.number])
    return f"{url}#{anchor}" if anchor else url


@portal_login_required
def ticket_list(request):
    scope = request.GET.get("status", "open")
    if scope not in LIST_SCOPES:
        scope = "open"
    # "?whose=organization": the shared tickets view of an organization that shares them.
    organization = portal_shared_organization(request.user)
    shared = organization is not None and request.GET.get("whose") == "organization"
    tickets = portal_ticket_list(request.user, scope=scope, organization=shared)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "scope": scope,
        "counts": portal_ticket_counts(request.user, organization=shared),
        "organization": organization,
        "shared": shared,
        "whose": "&whose=organization" if shared else "",
    }
    return render_portal(request, "portal/tickets/list.html", context)


@verified_required
def ticket_create(request):
    allow_priority = request.tenant.customers_can_set_priority
    if request.method != "POST":
        initial = {key: request.GET[key] for key in ("subject", "category") if key in request.GET}
        form = NewTicketForm(initial=initial, allow_priority=allow_priority)
        return render_portal(request, "portal/tickets/new.html", {"form": form})
    form = NewTicketForm(request.POST, request.FILES, allow_priority=allow_priority)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                requester=request.user,
                subject=data["subject"],
                content=data["description"],
                priority=data.get("priority") or Priority.MEDIUM,
                category=data["category"],
                channel=Channel.PORTAL,
                attachments=services.attachments_prepare(data["attachments"]),
            )
        except DomainError as exc:
            add_domain_errors(form, exc, NEW_TICKET_FIELDS)
        else:
            messages.success(
                request,
                _("Thank you. Your request %(number)s was received.") % {"number": ticket.number},
            )
            return redirect(_detail_url(ticket))
    # Everything typed comes back in the bound form; browsers cannot refill file inputs.
    context = {"form": form, "files_dropped": bool(request.FILES)}
    return render_portal(request, "portal/tickets/new.html", context)


@portal_login_required
@require_POST
def suggestion_opened(request):
    """Beacon from the new-ticket form: the customer opened a suggested KB article."""
    try:
        result_count = int(request.POST.get("count") or 0)
    except ValueError:
        result_count = 0
    portal_kb_suggestion_opened(
        actor=request.user,
        session_key=request.session.session_key or "",
        slug=request.POST.get("slug", "")[:200],
        query=request.POST.get("q", "")[:255],
        search_id=request.POST.get("search_id", "")[:64],
        result_count=result_count,
    )
    return HttpResponse(status=204)


def _questions(user) -> dict[str, str]:
    """The tenant's question texts in the customer's language."""
    return survey_settings().question_texts(getattr(user, "language", ""))


def _detail(request, ticket: Ticket, *, status: int = 200, **forms):
    user = request.user
    participant = is_participant(user, ticket)
    is_requester = ticket.requester_id == user.pk
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    rating_open = rating is None or timezone.now() - rating.created_at <= CHANGE_WINDOW
    can_rate = is_requester and ticket.status in CLOSED_STATUSES and rating_open
    show_rating_form = participant and "rating_form" in forms
    if "rating_form" not in forms and can_rate:
        forms["rating_form"] = RatingForm(
            initial=RatingForm.initial_of(rating), questions=_questions(user)
        )
    merged_into = None
    if ticket.merged_into_id:
        merged_into = Ticket.objects.visible_to(user).filter(pk=ticket.merged_into_id).first()
    context = {
        "ticket": ticket,
        "conversation": conversation_html(portal_messages(user, ticket)),
        "participant": participant,
        "is_requester": is_requester,
        "can_reply": participant and ticket.status != Status.CLOSED and not merged_into,
        # A refused reply is shown again with its text, even where no new one may be written.
        "show_reply_box": participant and "reply_form" in forms,
        "show_cc_form": participant and "cc_form" in forms,
        "show_rating_form": show_rating_form,
        "can_resolve": is_requester and ticket.is_open,
        "can_rate": can_rate,
        "rating": rating,
        "rating_changeable_until": rating.created_at + CHANGE_WINDOW if rating else None,
        "can_cc": is_requester
        and request.tenant.customers_can_cc
        and ticket.status != Status.CLOSED,
        "cc_list": list(ticket.cc.order_by("email")),
        "merged_into": merged_into,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "cc_form": forms.get("cc_form") or CCForm(),
        "rating_form": forms.get("rating_form"),
        "files_dropped": forms.get("files_dropped", False),
    }
    return render_portal(request, "portal/tickets/detail.html", context, status=status)


@portal_login_required
def ticket_detail(request, ref: str):
    return _detail(request, portal_ticket_get(request.user, ref))


def _participant_ticket(request, ref: str) -> Ticket:
    ticket = portal_ticket_get(request.user, ref)
    if not is_participant(request.user, ticket):
        # Staff may look at a customer's request here, but they act on it in the desk.
        raise Http404("Not your request.")
    return ticket


@verified_required
@require_POST
def ticket_reply(request, ref: str):
    ticket = _participant_ticket(request, ref)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        reopening = ticket.status == Status.RESOLVED
        try:
            services.message_add(
                ticket=ticket,
                actor=request.user,
                content=form.cleaned_data["content"],
                attachments=services.attachments_prepare(form.cleaned_data["attachments"]),
                channel=Channel.PORTAL,
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            if reopening:
                messages.success(request, _("Your reply was sent and the request is open again."))
            else:
                messages.success(request, _("Your reply was sent."))
            return redirect(_detail_url(ticket, "latest"))
    return _detail(request, ticket, reply_form=form, files_dropped=bool(request.FILES))


@verified_required
@require_POST
def ticket_resolve(request, ref: str):
    ticket = _participant_ticket(request, ref)
    if ticket.requester_id != request.user.pk:
        return HttpResponseForbidden(_("Only the person who opened the request can resolve it."))
    try:
        services.ticket_status_change(
            ticket=ticket,
            actor=request.user,
            status=Status.RESOLVED,
            reason="Marked as resolved by the customer in the portal",
        )
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("Marked as resolved. How did we do?"))
    return redirect(_detail_url(ticket, "rate"))


@verified_required
@require_POST
def ticket_rate(request, ref: str):
    ticket = _participant_ticket(request, ref)
    form = RatingForm(request.POST, questions=_questions(request.user))
    if form.is_valid():
        try:
            satisfaction_answer(
                ticket=ticket,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                **form.answers,
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(_detail_url(ticket, "rate"))
    return _detail(request, ticket, rating_form=form)


@verified_required
@require_POST
def ticket_cc_add(request, ref: str):
    ticket = _participant_ticket(request, ref)
    form = CCForm(request.POST)
    if form.is_valid():
        try:
            colleague = portal_cc_add(
                ticket=ticket, actor=request.user, email=form.cleaned_data["email"]
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(
                request, _("%(email)s now follows this request.") % {"email": colleague.email}
            )
            return redirect(_detail_url(ticket, "people"))
    return _detail(request, ticket, cc_form=form)


@verified_required
@require_POST
def ticket_cc_remove(request, ref: str, user_id):
    ticket = _participant_ticket(request, ref)
    colleague = ticket.cc.filter(pk=user_id).first()
    if colleague is None:
        raise Http404("Not a CC of this request.")
    try:
        services.ticket_cc_remove(ticket=ticket, actor=request.user, user=colleague)
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.errors.values() for m in ms))
        return redirect(_detail_url(ticket, "people"))
    if colleague.pk == request.user.pk:
        messages.success(request, _("You no longer follow %(number)s.") % {"number": ticket.number})
        return redirect("portal:ticket_list")
    messages.success(
        request, _("%(email)s no longer follows this request.") % {"email": colleague.email}
    )
    return redirect(_detail_url(ticket, "people"))


def _public_attachment(request, pk) -> Attachment:
    visible = Message.objects.visible_to(request.user).public()
    attachment = Attachment.objects.filter(pk=pk, message__in=visible.values("pk")).first()
    if attachment is None:
        raise Http404("No such file.")
    return attachment


@portal_login_required
def attachment_download(request, pk):
    """A file of the public conversation, for people who may see its ticket; else 404."""
    return attachment_response(_public_attachment(request, pk), user=request.user)


@portal_login_required
def attachment_preview(request, pk, size: str):
    """The re-encoded preview of an image of the public conversation (the desk's rule)."""
    return attachment_preview_response(_public_attachment(request, pk), size)
