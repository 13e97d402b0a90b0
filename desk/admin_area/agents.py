"""Agents and roles (admins): invite, change role, deactivate, categories and capacity.

Accounts change through panel1.accounts.staff (audited); the agent's routing data (which
categories, how many open tickets, available) through tickets.services.categories."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from desk.admin_area.forms import AgentEditForm, StaffInviteForm
from panel1.accounts.models import STAFF_ROLES, Role, User
from panel1.accounts.services import site_base_url
from panel1.accounts.staff import staff_active_set, staff_invite, staff_role_change
from panel1.exceptions import DomainError
from tickets.models import AgentProfile, Status
from tickets.services.categories import agent_profile_create, agent_profile_update

ROLE_CHOICES = [
    (Role.AGENT, gettext_lazy("Agent")),
    (Role.SUPERVISOR, gettext_lazy("Supervisor")),
    (Role.ADMIN, gettext_lazy("Admin")),
]
OPEN = [Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.ON_HOLD]


@admin_view("agents")
def agent_list(request):
    staff = (
        User.objects.filter(role__in=STAFF_ROLES)
        .select_related("agent_profile")
        .prefetch_related("agent_profile__categories")
        .annotate(open_count=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN)))
        .order_by("-is_active", "name", "email")
    )
    form = StaffInviteForm(request.POST or None, roles=ROLE_CHOICES)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_invite(
                actor=request.user, base_url=site_base_url(request), **form.cleaned_data
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Invited %(user_name)s: a mail with a link to choose a password is on its way.")
                % {"user_name": user.name},
            )
            return redirect("desk:admin-agents")
    context = {"staff": staff, "form": form, "roles": dict(ROLE_CHOICES)}
    return admin_render(
        request, "desk/admin/agents.html", context, status=400 if form.errors else 200
    )


def _profile(user: User) -> AgentProfile | None:
    return AgentProfile.objects.filter(user=user).prefetch_related("categories").first()


@admin_view("agents")
def agent_edit(request, pk):
    member = get_object_or_404(User, pk=pk, role__in=STAFF_ROLES)
    profile = _profile(member)
    initial = {
        "role": member.role,
        "categories": list(profile.categories.all()) if profile else [],
        "capacity": profile.capacity if profile else 0,
    }
    form = AgentEditForm(request.POST or None, initial=initial, roles=ROLE_CHOICES)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        routing = {
            "categories": list(data["categories"]),
            "capacity": data["capacity"],
        }
        try:
            # One screen, one change: the role and the routing data commit together.
            with transaction.atomic():
                staff_role_change(actor=request.user, user=member, role=data["role"])
                if profile is None:
                    agent_profile_create(actor=request.user, user=member, **routing)
                else:
                    agent_profile_update(profile=profile, actor=request.user, **routing)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Saved %(value)s.") % {"value": member.get_full_name() or member.email}
            )
            return redirect("desk:admin-agents")
    context = {"member": member, "form": form}
    return admin_render(
        request, "desk/admin/agent_form.html", context, status=400 if form.errors else 200
    )


@admin_view("agents")
@require_POST
def agent_active(request, pk):
    member = get_object_or_404(User, pk=pk, role__in=STAFF_ROLES)
    active = request.POST.get("active") == "1"
    try:
        staff_active_set(actor=request.user, user=member, active=active)
    except DomainError as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        verb = "Reactivated" if active else "Deactivated"
        messages.success(request, f"{verb} {member.get_full_name() or member.email}.")
    return redirect("desk:admin-agents")
