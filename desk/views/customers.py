"""Customer and organization pages: search, profiles (editable), their tickets and ratings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from desk.forms import CustomerForm, OrganizationForm, split_tags, split_words
from desk.views.base import desk_view, error_messages, sidebar_context
from panel1.exceptions import DomainError, NotFound
from tickets.customer_selectors import (
    customer_get,
    customer_list,
    customer_profile_of,
    customer_satisfaction,
    customer_tickets,
    organization_get,
    organization_list,
    organization_tickets,
)
from tickets.services.customers import (
    customer_update,
    organization_create,
    organization_delete,
    organization_update,
)

LIST_LIMIT = 50
TICKETS_LIMIT = 100
PICK_LIMIT = 8


def _customer(ref):
    try:
        return customer_get(str(ref))
    except NotFound as exc:
        raise Http404("No such customer.") from exc


def _organization(ref):
    try:
        return organization_get(str(ref))
    except NotFound as exc:
        raise Http404("No such organization.") from exc


@require_GET
@desk_view
def customers(request):
    """Customer and organization search (name, email, organization, domain)."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    found = list(customer_list(search=query)[: LIST_LIMIT + 1])
    orgs = list(organization_list(search=query)[:LIST_LIMIT]) if query else []
    context = {
        **sidebar_context(request, counts=False, active="customers"),
        "query": query,
        "customers": found[:LIST_LIMIT],
        "more": len(found) > LIST_LIMIT,
        "organizations": orgs,
    }
    return render(request, "desk/customers.html", context)


@require_GET
@desk_view
def customer_pick(request):
    """Requester suggestions for the new-ticket form (htmx): customers by name, email or
    organization."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    found = list(customer_list(search=query)[:PICK_LIMIT]) if query else []
    return render(request, "desk/_customer_pick.html", {"found": found, "query": query})


def _customer_form(customer, data=None) -> CustomerForm:
    profile = customer_profile_of(customer)
    initial = {
        "name": customer.name,
        "email": customer.email,
        "organization": profile.organization_id if profile else None,
        "language": customer.language,
        "timezone": customer.timezone,
        "notes": profile.notes if profile else "",
        "tags": ", ".join(profile.tags) if profile else "",
    }
    return CustomerForm(data, initial=initial)


@require_http_methods(["GET", "POST"])
@desk_view
def customer_page(request, pk):
    customer = _customer(pk)
    form = _customer_form(customer)
    errors: list[str] = []
    if request.method == "POST":
        form = _customer_form(customer, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                customer_update(
                    actor=request.user,
                    customer=customer,
                    name=data["name"],
                    email=data["email"],
                    organization=data["organization"],
                    language=data["language"],
                    timezone=data["timezone"],
                    notes=data["notes"],
                    tags=split_tags(data["tags"]),
                )
            except DomainError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, _("Customer saved."))
                return redirect("desk:customer", pk=customer.pk)
    tickets = list(customer_tickets(request.user, customer)[: TICKETS_LIMIT + 1])
    context = {
        **sidebar_context(request, counts=False, active="customers"),
        "customer": customer,
        "profile": customer_profile_of(customer),
        "form": form,
        "errors": errors,
        "tickets": tickets[:TICKETS_LIMIT],
        "more_tickets": len(tickets) > TICKETS_LIMIT,
        "ratings": customer_satisfaction(request.user, customer),
    }
    return render(request, "desk/customer.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@desk_view
def organizations(request):
    form = OrganizationForm()
    errors: list[str] = []
    if request.method == "POST":
        form = OrganizationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                org = organization_create(
                    actor=request.user,
                    name=data["name"],
                    domains=split_words(data["domains"]),
                    notes=data["notes"],
                    shares_tickets=data["shares_tickets"],
                )
            except DomainError as exc:
                errors = error_messages(exc)
            else:
                messages.success(
                    request, _("Organization “%(org_name)s” created.") % {"org_name": org.name}
                )
                return redirect("desk:organization", pk=org.pk)
    query = " ".join(request.GET.get("q", "").split())[:200]
    context = {
        **sidebar_context(request, counts=False, active="organizations"),
        "organizations": list(organization_list(search=query)[:200]),
        "query": query,
        "form": form,
        "errors": errors,
    }
    return render(request, "desk/organizations.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@desk_view
def organization_page(request, pk):
    org = _organization(pk)
    initial = {
        "name": org.name,
        "domains": ", ".join(org.domains),
        "notes": org.notes,
        "shares_tickets": org.shares_tickets,
    }
    form = OrganizationForm(initial=initial)
    errors: list[str] = []
    if request.method == "POST":
        form = OrganizationForm(request.POST, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                organization_update(
                    actor=request.user,
                    organization=org,
                    name=data["name"],
                    domains=split_words(data["domains"]),
                    notes=data["notes"],
                    shares_tickets=data["shares_tickets"],
                )
            except DomainError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, _("Organization saved."))
                return redirect("desk:organization", pk=org.pk)
    tickets = list(organization_tickets(request.user, org)[: TICKETS_LIMIT + 1])
    context = {
        **sidebar_context(request, counts=False, active="organizations"),
        "org": org,
        "form": form,
        "errors": errors,
        "members": list(customer_list(organization=org)[:200]),
        "tickets": tickets[:TICKETS_LIMIT],
        "more_tickets": len(tickets) > TICKETS_LIMIT,
    }
    return render(request, "desk/organization.html", context, status=400 if errors else 200)


@require_POST
@desk_view
def organization_delete_view(request, pk):
    org = _organization(pk)
    try:
        organization_delete(actor=request.user, organization=org)
    except DomainError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("desk:organization", pk=org.pk)
    messages.success(
        request,
        _("Organization “%(org_name)s” deleted; its members stay customers.")
        % {"org_name": org.name},
    )
    return redirect("desk:organizations")
