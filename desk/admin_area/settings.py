"""Portal and branding settings (admins): the tenant's name, colour, logo, support address,
ticket numbers and portal options, through `tenant_settings_update` (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from desk.admin_area.forms import SettingsForm
from panel1.exceptions import DomainError
from panel1.tenants.models import Tenant
from panel1.tenants.services import current_tenant, tenant_settings_update


@admin_view("settings")
def settings_edit(request):
    tenant = current_tenant()
    # The form validates a copy: the service compares against the unchanged row.
    copy = Tenant.objects.get(pk=tenant.pk)
    form = SettingsForm(request.POST or None, request.FILES or None, instance=copy)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_settings_update(tenant=tenant, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("desk:admin-settings")
    status = 400 if form.errors else 200
    return admin_render(request, "desk/admin/settings.html", {"form": form}, status=status)
