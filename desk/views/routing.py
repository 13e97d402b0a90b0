"""Availability switch (header), team view, routing settings page (supervisors, admins)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from automation.routing.selection import STRATEGIES
from automation.routing.services import (
    category_strategies,
    routing_settings_get,
    routing_settings_update,
)
from desk.routing import agent_rows
from desk.views.base import desk_view, flash_error, sidebar_context
from panel1.exceptions import DomainError, NotFound
from tickets.agents import agent_get
from tickets.availability import language_codes
from tickets.models import AgentProfile, AgentStatus, Category
from tickets.services.agents import agent_status_set, agent_update

STRATEGY_CHOICES = [(name, name.replace("_", " ")) for name in STRATEGIES]


def _supervisor(request) -> None:
    if not request.user.is_supervisor_or_admin:
        raise PermissionDenied(_("Routing settings are for supervisors and admins."))


@require_http_methods(["GET", "POST"])
@desk_view
def availability(request):
    """The header's switch, loaded by htmx so desk pages pay no query for it."""
    error = ""
    if request.method == "POST":
        try:
            agent_status_set(actor=request.user, status=request.POST.get("status", ""))
        except DomainError as exc:
            error = " ".join(m for values in exc.errors.values() for m in values)
    profile = AgentProfile.objects.filter(user=request.user).only("status").first()
    context = {
        "status": profile.status if profile else AgentStatus.OFFLINE,
        "statuses": AgentStatus.choices,
        "error": error,
    }
    return render(request, "desk/_availability.html", context)


@desk_view
def team(request):
    rows = agent_rows(now=request.desk_now, with_today=True)
    context = {"rows": rows, **sidebar_context(request, counts=False, active="team")}
    return render(request, "desk/team.html", context)


class RoutingSettingsForm(forms.Form):
    strategy = forms.ChoiceField(choices=STRATEGY_CHOICES)
    previous_agent = forms.BooleanField(required=False)
    priority_first = forms.BooleanField(required=False)
    reroute_when_offline = forms.BooleanField(required=False)


class AgentRoutingForm(forms.Form):
    capacity = forms.IntegerField(min_value=0, max_value=100_000)
    skills = forms.CharField(required=False, max_length=2000)
    languages = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = [(code, code) for code in language_codes()]


def _category_rows(settings) -> list[dict]:
    chosen = {str(row["category"]): row["strategy"] for row in category_strategies(settings)}
    return [
        {"category": category, "strategy": chosen.get(str(category.pk), "")}
        for category in Category.objects.filter(is_active=True).order_by("name")
    ]


@require_http_methods(["GET", "POST"])
@desk_view
def routing_settings(request):
    _supervisor(request)
    settings = routing_settings_get()
    if request.method == "POST":
        form = RoutingSettingsForm(request.POST)
        if form.is_valid():
            categories = [
                {"category": category_id, "strategy": strategy}
                for category_id, strategy in _posted_category_strategies(request.POST)
            ]
            try:
                routing_settings_update(
                    actor=request.user, categories=categories, **form.cleaned_data
                )
            except DomainError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, _("Routing settings saved."))
                return redirect("desk:routing")
    else:
        form = RoutingSettingsForm(
            initial={
                "strategy": settings.strategy,
                "previous_agent": settings.previous_agent,
                "priority_first": settings.priority_first,
                "reroute_when_offline": settings.reroute_when_offline,
            }
        )
    context = {
        "form": form,
        "category_rows": _category_rows(settings),
        "strategies": STRATEGY_CHOICES,
        "rows": agent_rows(),
        "languages": language_codes(),
        **sidebar_context(request, counts=False, active="routing"),
    }
    return render(request, "desk/routing.html", context)


def _posted_category_strategies(post) -> list[tuple[str, str]]:
    found = []
    for key, value in post.items():
        if key.startswith("category_") and value:
            found.append((key.removeprefix("category_"), value))
    return found


@require_POST
@desk_view
def routing_agent(request, pk):
    """Capacity, skills and languages of one agent, from the settings page."""
    _supervisor(request)
    try:
        agent = agent_get(pk)
    except NotFound as exc:
        raise Http404("No such agent.") from exc
    form = AgentRoutingForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{agent.get_full_name()}: {field}: {' '.join(errors)}")
        return redirect("desk:routing")
    data = form.cleaned_data
    skills = [s for s in (part.strip() for part in data["skills"].split(",")) if s]
    try:
        agent_update(
            actor=request.user,
            agent=agent,
            capacity=data["capacity"],
            skills=skills,
            languages=data["languages"],
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Saved %(value)s.") % {"value": agent.get_full_name()})
    return redirect("desk:routing")
