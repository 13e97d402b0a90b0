from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext, gettext_lazy

from panel1.accounts.models import Role, User


class UserCreationForm(forms.ModelForm):
    password = forms.CharField(widget=forms.PasswordInput, required=False)

    class Meta:
        model = User
        fields = ["email", "name", "role"]

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        else:
            user.set_unusable_password()
        if commit:
            user.save()
        return user


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "role", "language", "timezone", "notify_by_email"]}),
        ("Status", {"fields": ["is_active", "email_verified", "is_superuser", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "name", "role", "password"]})]
    filter_horizontal = []
    actions = ["send_portal_invitation", "export_personal_data"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:  # the platform site has no portal
            actions.pop("send_portal_invitation", None)
            actions.pop("export_personal_data", None)
        return actions

    @admin.action(description=gettext_lazy("Send a portal invitation (a link to set a password)"))
    def send_portal_invitation(self, request, queryset):
        from panel1.accounts.services import customer_invite, site_base_url

        customers = queryset.filter(role=Role.CUSTOMER, is_active=True)
        for user in customers:
            customer_invite(email=user.email, actor=request.user, base_url=site_base_url(request))
        skipped = queryset.count() - customers.count()
        self.message_user(
            request,
            gettext("Invitations queued: %(count)s.") % {"count": customers.count()},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request, f"Skipped {skipped} staff or inactive accounts.", messages.WARNING
            )

    @admin.action(description=gettext_lazy("Export personal data (a ZIP, see Privacy requests)"))
    def export_personal_data(self, request, queryset):
        from panel1.privacy.models import Source
        from panel1.privacy.services import privacy_export_request

        for user in queryset:
            privacy_export_request(actor=request.user, email=user.email, source=Source.ADMIN)
        self.message_user(
            request,
            gettext("Exports queued: %(count)s.") % {"count": queryset.count()},
            messages.SUCCESS,
        )
