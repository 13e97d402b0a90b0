"""The notification centre (bell, list, mark read), preferences, following tickets and the
@mention suggestions of the note box."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from desk.models import Notification, NotificationKind, TicketFollow
from desk.notifications import (
    notification_preference_set,
    notifications_mark_read,
    preference_for,
    ticket_follow,
)
from desk.views.base import desk_view, go_back, sidebar_context
from desk.views.ticket import get_ticket
from panel1.accounts.models import STAFF_ROLES, User
from tickets.notifiers import NOTICE_KIND

LIST_LIMIT = 100
MENTION_LIMIT = 8


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@require_GET
@desk_view
def bell(request):
    """The bell's unread count (htmx polls it; pages render without this query)."""
    return render(request, "desk/_bell.html", {"unread": unread_count(request.user)})


@require_GET
@desk_view
def notification_list(request):
    items = list(
        Notification.objects.filter(user=request.user)
        .select_related("ticket")
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    context = {
        **sidebar_context(request, counts=False, active="notifications"),
        "items": items,
        "unread": sum(1 for n in items if n.read_at is None),
    }
    return render(request, "desk/notifications.html", context)


@require_GET
@desk_view
def notification_open(request, pk: int):
    """Mark one entry read and go to its ticket."""
    item = Notification.objects.filter(pk=pk, user=request.user).select_related("ticket").first()
    if item is None:
        raise Http404("No such notification.")
    notifications_mark_read(actor=request.user, ids=[item.pk])
    if item.ticket is None:
        return redirect("desk:notifications")
    return redirect("desk:ticket", ref=item.ticket.number)


@require_POST
@desk_view
def notification_read(request):
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()] or None
    notifications_mark_read(actor=request.user, ids=ids)
    if request.htmx:
        return render(request, "desk/_bell.html", {"unread": unread_count(request.user)})
    return go_back(request, "/desk/notifications/")


@require_http_methods(["GET", "POST"])
@desk_view
def preferences(request):
    from panel1.plugins.channels import enabled_channels

    plugin_channels = enabled_channels("staff")
    kinds = list(NotificationKind.choices)
    if plugin_channels:
        kinds.append((NOTICE_KIND, _("Other notices (automation rules, escalations)")))
    if request.method == "POST":
        channels = {
            kind: {
                name: request.POST.get(f"{kind}-{name}") == "on"
                for name in ("in_app", "email", *(c.id for c in plugin_channels))
            }
            for kind, _label in kinds
        }
        notification_preference_set(actor=request.user, channels=channels)
        messages.success(request, _("Notification preferences saved."))
        return redirect("desk:notification-preferences")
    pref = preference_for(request.user)
    rows = [
        {
            "kind": kind,
            "label": label,
            "in_app": pref.wants(kind, "in_app"),
            "email": pref.wants(kind, "email"),
            "core": kind != NOTICE_KIND,
            "plugins": [(channel, _chosen(pref, kind, channel)) for channel in plugin_channels],
        }
        for kind, label in kinds
    ]
    context = {
        **sidebar_context(request, counts=False, active="notifications"),
        "rows": rows,
        "plugin_channels": plugin_channels,
    }
    return render(request, "desk/notification_preferences.html", context)


def _chosen(pref, kind: str, channel) -> bool:
    choice = ((pref.channels or {}).get(kind) or {}).get(channel.id)
    return choice if isinstance(choice, bool) else channel.default


@require_http_methods(["GET", "POST"])
@desk_view
def follow(request, ref: str):
    """GET: the follow button (loaded after the page); POST: follow or unfollow."""
    ticket = get_ticket(request, ref)
    if request.method == "POST":
        wanted = request.POST.get("follow") == "1"
        ticket_follow(ticket=ticket, actor=request.user, follow=wanted)
    following = TicketFollow.objects.filter(ticket=ticket, user=request.user).exists()
    if request.htmx:
        return render(request, "desk/_follow.html", {"ticket": ticket, "following": following})
    return redirect("desk:ticket", ref=ticket.number)


@require_GET
@desk_view
def mention_suggestions(request):
    """Staff matching what follows the @ (name or email), for the note box."""
    query = (request.GET.get("q") or "").strip()[:100]
    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    if query:
        staff = staff.filter(Q(name__icontains=query) | Q(email__icontains=query))
    people = list(staff.order_by("name", "email").only("id", "name", "email")[:MENTION_LIMIT])
    return render(request, "desk/_mention_results.html", {"people": people})
