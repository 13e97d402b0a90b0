"""Admin sites.

The default `admin.site` is each tenant's admin (/admin/ on a tenant host). Shared models
(tenants, domains, the job queue and schedules) are registered ONLY on `platform_admin_site`,
served on the public host: on a tenant's admin they would let one tenant see every tenant.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django_q import admin as q_admin
from django_q import models as q_models

from panel1.accounts.admin import UserAdmin
from panel1.accounts.models import User
from panel1.core.models import JobHeartbeat
from panel1.tenants.admin import DomainInline, TenantAdmin
from panel1.tenants.models import Domain, Tenant


class PlatformAdminSite(admin.AdminSite):
    site_header = "Panel1 platform administration"
    site_title = "Panel1 platform"
    index_title = "Tenants, domains and jobs"

    def has_permission(self, request):
        return bool(request.user.is_active and request.user.is_superuser)


platform_admin_site = PlatformAdminSite(name="platform_admin")

# django-q2 registers its models on the default site; move them to the platform site.
_Q_ADMINS = {
    q_models.Schedule: q_admin.ScheduleAdmin,
    q_models.Success: q_admin.TaskAdmin,
    q_models.Failure: q_admin.FailAdmin,
    q_models.OrmQ: q_admin.QueueAdmin,
}
for model, model_admin in _Q_ADMINS.items():
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    platform_admin_site.register(model, model_admin)

platform_admin_site.register(Tenant, TenantAdmin)
platform_admin_site.register(Domain)
platform_admin_site.register(User, UserAdmin)
platform_admin_site.register(Group, GroupAdmin)


@admin.register(JobHeartbeat, site=platform_admin_site)
class JobHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["id", "last_seen"]


admin.site.site_header = "Helpdesk administration"
admin.site.site_title = "Helpdesk admin"

__all__ = ["DomainInline", "messages", "platform_admin_site"]
