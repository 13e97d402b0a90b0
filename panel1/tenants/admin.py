from django import forms
from django.contrib import admin, messages
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from panel1.exceptions import DomainError
from panel1.tenants.models import Domain, Tenant
from panel1.tenants.services import tenant_provision, tenant_reactivate, tenant_suspend


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class TenantCreationForm(forms.ModelForm):
    domain = forms.CharField(help_text=_("Host name, e.g. acme.example.com"))
    admin_email = forms.EmailField(max_length=254, help_text=_("The tenant's first administrator"))
    admin_password = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text=_("Leave empty to send no password")
    )

    class Meta:
        model = Tenant
        fields = ["schema_name", "name"]


class TenantAdmin(admin.ModelAdmin):
    list_display = ["schema_name", "name", "display_name", "created_at", "suspended_at"]
    actions = ["suspend", "reactivate"]
    search_fields = ["schema_name", "name", "domains__domain"]
    inlines = [DomainInline]
    readonly_fields = ["created_at", "suspended_at"]

    @admin.action(description=_("Suspend the selected tenants (their hosts answer 503)"))
    def suspend(self, request, queryset):
        done = sum(tenant_suspend(tenant=t, actor=request.user) for t in queryset)
        messages.success(
            request,
            ngettext("%(count)d tenant suspended.", "%(count)d tenants suspended.", done)
            % {"count": done},
        )

    @admin.action(description=_("Reactivate the selected tenants"))
    def reactivate(self, request, queryset):
        done = sum(tenant_reactivate(tenant=t, actor=request.user) for t in queryset)
        messages.success(
            request,
            ngettext("%(count)d tenant reactivated.", "%(count)d tenants reactivated.", done)
            % {"count": done},
        )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TenantCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "schema_name"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # Provision through the one service: schema, domain, admin and defaults together.
        try:
            result = tenant_provision(
                schema_name=form.cleaned_data["schema_name"],
                domain=form.cleaned_data["domain"],
                name=form.cleaned_data["name"],
                admin_email=form.cleaned_data["admin_email"],
                admin_password=form.cleaned_data["admin_password"] or None,
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            raise
        finally:
            connection.set_schema_to_public()
        obj.pk = result.tenant.pk
        obj.refresh_from_db()
