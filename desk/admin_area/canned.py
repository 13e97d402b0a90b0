"""Canned responses: the team's shared ones (supervisors and admins edit them) and each
agent's own, through desk.services."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk import services
from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from desk.admin_area.forms import CannedResponseForm
from desk.models import CannedResponse
from panel1.exceptions import DomainError, PermissionDenied


def _may_edit(user, response: CannedResponse) -> bool:
    return response.owner_id == user.pk or (
        response.owner_id is None and user.is_supervisor_or_admin
    )


@admin_view("canned")
def canned_list(request):
    visible = CannedResponse.objects.filter(Q(owner=None) | Q(owner=request.user))
    rows = [
        {"response": response, "editable": _may_edit(request.user, response)}
        for response in visible.select_related("category").order_by("owner", "title")
    ]
    return admin_render(request, "desk/admin/canned_list.html", {"rows": rows})


@admin_view("canned")
def canned_edit(request, pk=None):
    response = get_object_or_404(CannedResponse, pk=pk) if pk else None
    if response is not None and not _may_edit(request.user, response):
        return redirect("desk:admin-canned")
    can_share = request.user.is_supervisor_or_admin
    copy = CannedResponse.objects.get(pk=pk) if pk else None
    initial = {"shared": response is None or response.owner_id is None} if can_share else {}
    form = CannedResponseForm(
        request.POST or None, instance=copy, initial=initial, can_share=can_share
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = None if data.pop("shared", False) else request.user
        try:
            if response is None:
                response = services.canned_response_create(actor=request.user, owner=owner, **data)
            else:
                services.canned_response_update(
                    response=response, actor=request.user, owner=owner, **data
                )
        except (DomainError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Canned response saved."))
            return redirect("desk:admin-canned")
    context = {"response": response, "form": form}
    return admin_render(
        request, "desk/admin/canned_form.html", context, status=400 if form.errors else 200
    )


@admin_view("canned")
@require_POST
def canned_delete(request, pk):
    response = get_object_or_404(CannedResponse, pk=pk)
    try:
        services.canned_response_delete(response=response, actor=request.user)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Canned response deleted."))
    return redirect("desk:admin-canned")
