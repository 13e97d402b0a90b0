from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from panel1.accounts.models import Role
from panel1.sniffing import sniff_content_type
from panel1.tenants.forms import BrandingForm
from panel1.tenants.models import Tenant
from panel1.tenants.services import current_tenant, tenant_settings_update


def branding_edit(request):
    """The tenant admin's own settings page: branding, numbering, portal options."""
    if not request.user.is_authenticated:
        return redirect(f"/admin/login/?next={request.path}")
    if request.user.role != Role.ADMIN:
        raise PermissionDenied
    tenant = current_tenant()
    # The form validates a copy: the service compares against the unchanged row.
    copy = Tenant.objects.get(pk=tenant.pk)
    form = BrandingForm(request.POST or None, request.FILES or None, instance=copy)
    if request.method == "POST" and form.is_valid():
        # The tenants table is found through the search path; the logo is stored under the
        # current tenant's prefix because the tenant schema stays active.
        tenant_settings_update(tenant=tenant, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Helpdesk settings saved."))
        return redirect(request.path)
    context = {**admin.site.each_context(request), "form": form, "title": "Helpdesk settings"}
    return render(request, "admin/tenant_branding.html", context)


@cache_control(max_age=300)
def branding_logo(request):
    """Serve the tenant's logo (media files are not public; this one is meant to be)."""
    tenant = current_tenant()
    if not tenant.logo:
        raise Http404
    handle = tenant.logo.open("rb")
    content_type = sniff_content_type(handle.read(8192))
    handle.seek(0)
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
