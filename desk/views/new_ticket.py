"""New ticket from the desk (`n`, or the button): a call, a visit, or a message to a customer;
"Follow-up ticket" on a closed ticket opens this form prefilled and linked."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from desk import services as desk_services
from desk.forms import NewTicketForm, split_tags, staff_users
from desk.views.base import desk_view, error_messages, sidebar_context
from panel1.accounts.models import User
from panel1.accounts.services import customer_get_or_create
from panel1.exceptions import DomainError, NotFound
from panel1.ids import is_uuid
from tickets import services
from tickets.customer_selectors import customer_list
from tickets.models import Category, Priority, Status, Ticket
from tickets.selectors import ticket_get_for


def _follow_up_of(request, ref: str) -> Ticket | None:
    if not ref:
        return None
    try:
        return ticket_get_for(request.user, ref)
    except NotFound:
        return None


def _chosen_requester(ref) -> User | None:
    if not ref or not is_uuid(ref):
        return None
    return User.objects.filter(pk=ref, is_active=True).first()


def _initial(request, follow_up: Ticket | None) -> dict:
    initial = {"channel": "PHONE", "send": "log", "priority": Priority.MEDIUM}
    if follow_up is not None:
        initial.update(
            requester=follow_up.requester_id,
            subject=f"Follow-up: {follow_up.subject}"[:255],
            priority=follow_up.priority,
            category=follow_up.category_id,
            tags=", ".join(follow_up.tags),
            follow_up=follow_up.number,
        )
    elif request.GET.get("requester"):
        initial["requester"] = request.GET["requester"]
    return initial


def _requester(data) -> User:
    if data.get("requester"):
        user = _chosen_requester(data["requester"])
        if user is None:
            raise DomainError({"requester": [_("That customer no longer exists.")]})
        return user
    user, _created = customer_get_or_create(
        email=data["requester_email"], name=data.get("requester_name") or ""
    )
    return user


@require_http_methods(["GET", "POST"])
@desk_view
def ticket_new(request):
    follow_up = _follow_up_of(
        request, request.POST.get("follow_up") or request.GET.get("follow_up")
    )
    form = NewTicketForm(initial=_initial(request, follow_up))
    errors: list[str] = []
    if request.method == "POST":
        form = NewTicketForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = desk_services.desk_ticket_open(
                    actor=request.user,
                    requester=_requester(data),
                    subject=data["subject"],
                    content=data["content"],
                    channel=data["channel"],
                    send_to_customer=data["send"] == "send",
                    priority=data["priority"],
                    category=data["category"],
                    tags=split_tags(data["tags"]),
                    assignee=data["assignee"],
                    status=data["status"],
                    attachments=services.attachments_prepare(request.FILES.getlist("attachments")),
                    follow_up_of=follow_up,
                )
            except DomainError as exc:
                errors = error_messages(exc)
            else:
                if data["send"] == "send":
                    done = _("Ticket %(ticket_number)s created and sent to the customer.")
                else:
                    done = _("Ticket %(ticket_number)s created and logged.")
                messages.success(request, done % {"ticket_number": ticket.number})
                return redirect("desk:ticket", ref=ticket.number)
    chosen = _chosen_requester(form["requester"].value())
    context = {
        **sidebar_context(request, counts=False, active="new"),
        "form": form,
        "errors": errors,
        "follow_up": follow_up,
        "chosen": customer_list().filter(pk=chosen.pk).first() if chosen else None,
        "chosen_user": chosen,
        "priorities": Priority.choices,
        "statuses": [("", "Open (default)")] + [c for c in Status.choices if c[0] != "OPEN"],
        "categories": list(Category.objects.filter(is_active=True).order_by("name")),
        "staff": list(staff_users().only("id", "name", "email")),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/ticket_new.html", context, status=status)
