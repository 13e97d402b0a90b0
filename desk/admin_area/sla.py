"""SLA profiles: list, create, edit, delete, all through sla.services."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.admin_area import sla_form
from desk.admin_area.base import admin_render, admin_view
from panel1.accounts.models import STAFF_ROLES, User
from panel1.exceptions import DomainError
from panel1.ids import parse_uuid
from sla import services
from sla.models import SlaProfile
from tickets.models import Category, Priority


@admin_view("sla")
def profile_list(request):
    profiles = SlaProfile.objects.annotate(
        running=Count("ticket_states", filter=Q(ticket_states__is_closed=False))
    ).prefetch_related("categories")
    rows = [
        {
            "profile": profile,
            "first_response": sla_form._split_minutes(profile.first_response_time),
            "resolution": sla_form._split_minutes(profile.resolution_time),
            "hours": _hours_summary(profile),
        }
        for profile in profiles
    ]
    return admin_render(request, "desk/admin/sla_list.html", {"rows": rows})


def _hours_summary(profile: SlaProfile) -> str:
    hours = profile.business_hours or {}
    if not hours:
        return "Around the clock"
    days = [
        day[:3].capitalize() for day in sla_form.WEEKDAYS if (hours.get(day) or {}).get("enabled")
    ]
    return f"{', '.join(days) or 'No days'} · {hours.get('timezone', 'UTC')}"


@admin_view("sla")
def profile_edit(request, pk=None):
    profile = get_object_or_404(SlaProfile, pk=pk) if pk else None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        state, fields, errors = sla_form.parse_post(request.POST)
        if not errors:
            try:
                if profile is None:
                    profile = services.sla_profile_create(actor=request.user, **fields)
                else:
                    profile = services.sla_profile_update(
                        profile=profile, actor=request.user, **fields
                    )
            except DomainError as exc:
                errors = sla_form.screen_errors(exc.errors, names=_names_in(fields))
            else:
                messages.success(
                    request,
                    _("Saved SLA profile “%(profile_name)s”.") % {"profile_name": profile.name},
                )
                return redirect("desk:admin-sla")
    else:
        state = sla_form.state_from_profile(profile)
    staff = list(
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .order_by("name", "email")
        .only("id", "name", "email")
    )
    context = {
        "profile": profile,
        "form": sla_form.with_spare_rows(state),
        "errors": errors,
        "targets": sla_form.TARGETS,
        "timezones": sla_form.timezone_choices(),
        "priorities": Priority.choices,
        "categories": Category.objects.order_by("name").only("id", "name"),
        "staff": [(str(user.pk), user.get_full_name() or user.email) for user in staff],
    }
    return admin_render(request, "desk/admin/sla_form.html", context, status=400 if errors else 200)


def _names_in(fields: dict) -> dict[str, str]:
    """Names of the people the posted escalation rules mention (for error messages)."""
    ids = {
        str(uid)
        for rule in fields.get("escalation_rules") or []
        for uid in [*(rule.get("notify_user_ids") or []), rule.get("assign_to_id")]
        if uid and parse_uuid(uid)
    }
    people = User.objects.filter(pk__in=ids).only("id", "name", "email")
    return {str(u.pk): u.get_full_name() or u.email for u in people}


@admin_view("sla")
@require_POST
def profile_delete(request, pk):
    profile = get_object_or_404(SlaProfile, pk=pk)
    try:
        services.sla_profile_delete(profile=profile, actor=request.user)
    except DomainError as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(
            request, _("Deleted SLA profile “%(profile_name)s”.") % {"profile_name": profile.name}
        )
    return redirect("desk:admin-sla")
