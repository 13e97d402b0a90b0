"""Macros (canned responses with actions): personal ones for every agent, shared ones for
supervisors and admins to manage."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from desk import services as desk_services
from desk.forms import MacroForm, staff_users
from desk.macros import macro_summary
from desk.models import CannedResponse
from desk.views.base import desk_view, error_messages, sidebar_context
from panel1.exceptions import DomainError
from tickets.models import Category


def _visible(request):
    return CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=request.user))


def _context(request, form, errors, macro=None) -> dict:
    rows = list(_visible(request).select_related("owner").order_by("title"))
    return {
        **sidebar_context(request, counts=False, active="macros"),
        "form": form,
        "errors": errors,
        "macro": macro,
        "rows": [(m, macro_summary(m.actions or {})) for m in rows],
        "categories": list(Category.objects.filter(is_active=True).order_by("name")),
        "staff": list(staff_users().only("id", "name", "email")),
    }


def _save(request, form, macro=None):
    data = form.cleaned_data
    owner = None if data["shared"] else (macro.owner if macro and macro.owner else request.user)
    fields = {
        "title": data["title"],
        "content": data["content"],
        "shortcut": data["shortcut"],
        "owner": owner,
        "actions": form.actions(),
    }
    if macro is None:
        return desk_services.canned_response_create(actor=request.user, **fields)
    return desk_services.canned_response_update(response=macro, actor=request.user, **fields)


@require_http_methods(["GET", "POST"])
@desk_view
def macros(request):
    form = MacroForm()
    errors: list[str] = []
    if request.method == "POST":
        form = MacroForm(request.POST)
        if form.is_valid():
            try:
                macro = _save(request, form)
            except DomainError as exc:
                errors = error_messages(exc)
            else:
                messages.success(
                    request, _("Saved “%(macro_title)s”.") % {"macro_title": macro.title}
                )
                return redirect("desk:macros")
    status = 400 if errors or form.errors else 200
    return render(request, "desk/macros.html", _context(request, form, errors), status=status)


@require_http_methods(["GET", "POST"])
@desk_view
def macro_edit(request, pk):
    macro = _visible(request).filter(pk=pk).first()
    if macro is None:
        raise Http404("No such macro.")
    form = MacroForm(initial=MacroForm.initial_for(macro))
    errors: list[str] = []
    if request.method == "POST":
        form = MacroForm(request.POST)
        if form.is_valid():
            try:
                _save(request, form, macro)
            except DomainError as exc:
                errors = error_messages(exc)
            else:
                messages.success(
                    request, _("Saved “%(macro_title)s”.") % {"macro_title": macro.title}
                )
                return redirect("desk:macros")
    status = 400 if errors or form.errors else 200
    return render(
        request, "desk/macros.html", _context(request, form, errors, macro), status=status
    )


@require_POST
@desk_view
def macro_delete(request, pk):
    macro = _visible(request).filter(pk=pk).first()
    if macro is None:
        raise Http404("No such macro.")
    try:
        desk_services.canned_response_delete(response=macro, actor=request.user)
    except DomainError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Deleted “%(macro_title)s”.") % {"macro_title": macro.title})
    return redirect("desk:macros")
