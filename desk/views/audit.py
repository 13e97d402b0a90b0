"""The tenant's audit log in the desk (/desk/audit/): read-only, filterable, CSV export.

Admins only. Reads through `panel1.audit.selectors`, the same filters as GET /api/v1/audit/.
"""

from __future__ import annotations

import csv
import json

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from desk.views.base import desk_view, sidebar_context
from panel1.accounts.models import Role
from panel1.audit.selectors import (
    audit_actions,
    audit_actor_display,
    audit_actor_names,
    audit_entry_list,
)

PAGE_SIZE = 50
CSV_BATCH = 500
CSV_HEADER = ["id", "created_at", "action", "actor", "ip", "user_agent", "target", "details"]


def admin_only(view):
    """Desk pages for tenant admins: other staff get 403."""

    @desk_view
    def wrapper(request, *args, **kwargs):
        if request.user.role != Role.ADMIN:
            return HttpResponseForbidden("Admins only.")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=100, label=_("Action"))
    actor = forms.CharField(required=False, max_length=254, label=_("Actor"))
    created_after = forms.DateTimeField(required=False, label=_("From"))
    created_before = forms.DateTimeField(required=False, label=_("Until"))


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    else:
        filters = {}
    return form, audit_entry_list(**filters)


@require_GET
@admin_only
def audit_log(request):
    form, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    names = audit_actor_names(page.object_list)
    rows = [(entry, audit_actor_display(entry, names)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "actions": audit_actions(),
        "query": query.urlencode(),
        **sidebar_context(request, counts=False, active="audit"),
    }
    return render(request, "desk/audit.html", context)


class _Echo:
    def write(self, value):
        return value


def _csv_rows(entries):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    batch = []
    for entry in entries.iterator(chunk_size=CSV_BATCH):
        batch.append(entry)
        if len(batch) == CSV_BATCH:
            yield from _csv_batch(writer, batch)
            batch = []
    yield from _csv_batch(writer, batch)


def _csv_batch(writer, batch):
    names = audit_actor_names(batch)
    for entry in batch:
        target = f"{entry.target_type}:{entry.target_id}" if entry.target_type else ""
        yield writer.writerow(
            [
                entry.pk,
                entry.created_at.isoformat(),
                entry.action,
                audit_actor_display(entry, names),
                entry.ip or "",
                entry.user_agent,
                target,
                json.dumps(entry.details, sort_keys=True),
            ]
        )


@require_GET
@admin_only
def audit_log_csv(request):
    _unused, entries = _filtered(request)
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
