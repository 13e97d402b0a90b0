"""Platform admins forbid plugins per tenant (public admin site); the service also switches
the plugin off in that tenant."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from panel1.actors import Actor
from panel1.core.admin import platform_admin_site
from panel1.plugins.platform.models import PluginForbid


class PluginForbidForm(forms.ModelForm):
    class Meta:
        model = PluginForbid
        fields = ["tenant", "plugin", "reason"]

    def clean_plugin(self):
        from panel1.plugins.registry import registry

        name = self.cleaned_data["plugin"]
        if registry.get(name) is None:
            raise forms.ValidationError(
                _("No plugin %(name)s is installed.") % {"name": repr(name)}
            )
        return name


@admin.register(PluginForbid, site=platform_admin_site)
class PluginForbidAdmin(admin.ModelAdmin):
    form = PluginForbidForm
    list_display = ["plugin", "tenant", "reason", "created_at"]
    list_filter = ["plugin"]

    def save_model(self, request, obj, form, change):
        from panel1.plugins.services import plugin_forbid

        if change:
            super().save_model(request, obj, form, change)
            return
        # Platform users live in the public schema: in the tenant's audit the platform acts.
        actor = Actor(label=_("platform: %(user_email)s") % {"user_email": request.user.email})
        plugin_forbid(tenant=obj.tenant, name=obj.plugin, actor=actor, reason=obj.reason)

    def delete_model(self, request, obj):
        from panel1.plugins.services import plugin_allow

        plugin_allow(tenant=obj.tenant, name=obj.plugin)
