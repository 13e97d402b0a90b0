"""Queue pages, their live refresh, the sidebar counts, bulk actions and saved views."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from desk import queues, services
from desk.forms import BulkForm, SavedViewForm, split_tags, staff_users
from desk.models import SavedView
from desk.plugin_columns import queue_columns
from desk.queue_rows import queue_page_rows
from desk.search_suggest import did_you_mean
from desk.selectors import category_choices, staff_choices
from desk.views.base import (
    desk_view,
    etag_of,
    flash_error,
    go_back,
    not_modified_or,
    poll_seconds,
    queue_version,
    safe_next,
    sidebar_context,
)
from desk.views.merge import merge_url
from panel1.accounts.models import User
from panel1.exceptions import DomainError
from panel1.ids import is_uuid
from tickets.models import Priority, Status, Ticket


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _resolve(request, key: str | None) -> queues.QueueView:
    if key is None:
        return queues.SEARCH_VIEW
    view = queues.resolve_view(request.user, str(key))
    if view is None:
        raise Http404("No such queue.")
    return view


def _queue_state(request, view: queues.QueueView):
    """The view's filters, overridden by a filter form submitted on top of it."""
    # A query in the URL (`/desk/search/?q=refund`) counts as filtering, never ignored.
    filtered = "filter" in request.GET or bool(request.GET.get("q", "").strip())
    filters = queues.normalize_filters(request.GET) if filtered else dict(view.filters)
    ordering = request.GET.get("sort") or view.ordering
    return filters, ordering, filtered


def _queue_context(request, view: queues.QueueView, counts: dict | None = None) -> dict:
    filters, ordering, filtered = _queue_state(request, view)
    page = queues.queue_page(
        request.user,
        view,
        filters,
        ordering=ordering,
        page=_page_number(request),
        now=request.desk_now,
        # The sidebar counted this very view (same filters, same moment): no second COUNT.
        total=None if filtered or counts is None else counts.get(view.key),
    )
    columns = queue_columns(request.user, page.tickets)
    rows = queue_page_rows(page.tickets, page.summaries, now=request.desk_now, columns=columns)
    return {
        "view": view,
        "page": page,
        "filters": filters,
        "filtered": filtered,
        "now": request.desk_now,
        "rows_url": _rows_url(request),
        "query": request.GET.copy(),
        "queue_poll_seconds": poll_seconds("queue"),
        "plugin_columns": columns.extra,
        "hidden_columns": columns.hidden,
        "rows": rows,
    }


def _exact_number(request, view) -> str | None:
    """A search for a ticket's number (alone) opens that ticket."""
    text = request.GET.get("q", "").strip()
    if (
        view is not queues.SEARCH_VIEW
        or not text
        or queues.normalize_filters(request.GET) != {"q": text}
    ):
        return None
    # Numbers are stored as issued (upper-case prefixes); equality uses the unique index.
    found = Ticket.objects.visible_to(request.user).filter(number__in={text, text.upper()})
    return found.values_list("number", flat=True).first()


def _rows_url(request) -> str:
    path = request.path if request.path.endswith("/rows/") else f"{request.path}rows/"
    return f"{path}?{request.GET.urlencode()}" if request.GET else path


def _form_choices() -> dict:
    return {
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "categories": category_choices(),
        "staff": staff_choices(),
    }


@require_GET
@desk_view
def queue(request, key: str | None = None):
    view = _resolve(request, key)
    jump = _exact_number(request, view)
    if jump is not None:
        return redirect("desk:ticket", ref=jump)
    context = sidebar_context(request, counts=True, active=view.key)
    context.update(_queue_context(request, view, context["sidebar_counts"]))
    context.update(_form_choices())
    query = context["filters"].get("q")
    if query and not context["page"].total:
        suggestion = did_you_mean(request.user, query)
        if suggestion:
            params = request.GET.copy()
            params["q"] = suggestion
            context["did_you_mean"] = (suggestion, f"{request.path}?{params.urlencode()}")
    return render(request, "desk/queue.html", context)


@require_GET
@desk_view
def queue_rows(request, key: str | None = None):
    """The table and the sidebar counts for htmx polling; 304 when nothing changed."""
    view = _resolve(request, key)
    etag = etag_of(*queue_version(request), request.get_full_path())

    def build():
        return render(request, "desk/_queue_rows.html", _queue_context(request, view))

    return not_modified_or(request, etag, build)


@require_GET
@desk_view
def sidebar_counts(request):
    etag = etag_of(*queue_version(request), request.get_full_path())

    def build():
        context = sidebar_context(request, counts=True, active=request.GET.get("active", ""))
        return render(request, "desk/_sidebar_counts.html", {**context, "counts_poll": True})

    return not_modified_or(request, etag, build)


def _bulk_assignee(request, value: str) -> User | None:
    if value in ("", "none"):
        return None
    if value == "me":
        return request.user
    user = staff_users().filter(pk=value).first() if is_uuid(value) else None
    if user is None:
        raise DomainError({"assignee": [_("Choose a staff member.")]})
    return user


@require_POST
@desk_view
def bulk(request):
    form = BulkForm(request.POST)
    form.fields["tickets"].choices = [(v, v) for v in request.POST.getlist("tickets")]
    fallback = reverse("desk:queue", args=["open"])
    if not [t for t in request.POST.getlist("tickets") if t]:
        messages.error(request, _("Select at least one ticket first."))
        return go_back(request, fallback)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return go_back(request, fallback)
    data = form.cleaned_data
    ids = [t for t in data["tickets"] if is_uuid(t)]
    if data["action"] == "merge":
        # A merge is hard to undo: it always goes through the preview dialog.
        extra = {"add": data["merge_target"]} if data.get("merge_target") else {}
        return redirect(merge_url(ids, next=safe_next(request, fallback), **extra))
    tickets = list(Ticket.objects.visible_to(request.user).filter(pk__in=ids).order_by("number"))
    try:
        result = _bulk_apply(request, data, tickets)
    except DomainError as exc:
        flash_error(request, exc)
        return go_back(request, fallback)
    if result.done:
        messages.success(request, _bulk_summary(data, result.done))
    for ticket, error in result.failed:
        messages.error(request, f"{ticket.number}: {error}")
    missing = len(set(ids)) - len(tickets)
    if missing:
        messages.error(
            request,
            ngettext(
                "%(missing)s selected ticket is not visible to you.",
                "%(missing)s selected tickets are not visible to you.",
                missing,
            )
            % {"missing": missing},
        )
    return go_back(request, fallback)


BULK_DONE = {
    "assign": "Assigned",
    "status": "Status set on",
    "priority": "Priority set on",
    "tags_add": "Tags added to",
    "tags_remove": "Tags removed from",
}


def _bulk_summary(data, done: list[Ticket]) -> str:
    """Feedback in words ("Priority set on 2 tickets (SUP-1, SUP-2).")."""
    count = len(done)
    numbers = ", ".join(t.number for t in done[:5]) + (" …" if count > 5 else "")
    noun = "ticket" if count == 1 else "tickets"
    return f"{BULK_DONE.get(data['action'], 'Done:')} {count} {noun} ({numbers})."


def _bulk_apply(request, data, tickets):
    action = data["action"]
    value = None
    if action == "assign":
        value = _bulk_assignee(request, data.get("assignee") or "")
    elif action in ("status", "priority"):
        value = data[action]
    elif action in ("tags_add", "tags_remove"):
        value = split_tags(data.get("tags"))
    return services.tickets_bulk_apply(
        actor=request.user, tickets=tickets, action=action, value=value
    )


@require_POST
@desk_view
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    fallback = reverse("desk:queue", args=["open"])
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return go_back(request, fallback)
    try:
        view = services.saved_view_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            filters=queues.normalize_filters(request.POST),
            ordering=form.cleaned_data["ordering"],
            is_shared=form.cleaned_data["is_shared"],
        )
    except DomainError as exc:
        flash_error(request, exc)
        return go_back(request, fallback)
    messages.success(request, _("Saved view “%(view_name)s”.") % {"view_name": view.name})
    return redirect("desk:saved-view", key=view.pk)


def _own_view(request, pk) -> SavedView:
    view = SavedView.objects.filter(pk=pk).first()
    if view is None or not (view.owner_id == request.user.pk or view.is_shared):
        raise Http404("No such view.")
    return view


@require_POST
@desk_view
def saved_view_update(request, pk):
    view = _own_view(request, pk)
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return redirect("desk:saved-view", key=view.pk)
    changes = {"name": form.cleaned_data["name"], "is_shared": form.cleaned_data["is_shared"]}
    if "filter" in request.POST:
        changes["filters"] = queues.normalize_filters(request.POST)
        changes["ordering"] = form.cleaned_data["ordering"]
    try:
        services.saved_view_update(view=view, actor=request.user, **changes)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Updated view “%(view_name)s”.") % {"view_name": view.name})
    return redirect("desk:saved-view", key=view.pk)


@require_POST
@desk_view
def saved_view_delete(request, pk):
    view = _own_view(request, pk)
    try:
        services.saved_view_delete(view=view, actor=request.user)
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("desk:saved-view", key=view.pk)
    messages.success(request, _("Deleted view “%(view_name)s”.") % {"view_name": view.name})
    return redirect("desk:queue", key="open")
