from django import forms
from django.utils.translation import gettext as _

from panel1.sniffing import sniff_content_type
from panel1.tenants.models import Tenant
from panel1.tenants.services import TENANT_SETTINGS_FIELDS


class BrandingForm(forms.ModelForm):
    """What a tenant's own admin may change about their helpdesk (never schema or domains)."""

    class Meta:
        model = Tenant
        fields = list(TENANT_SETTINGS_FIELDS)
        widgets = {"primary_color": forms.TextInput(attrs={"type": "color"})}

    def clean_default_timezone(self):
        from zoneinfo import available_timezones

        value = self.cleaned_data["default_timezone"]
        if value not in available_timezones():
            raise forms.ValidationError(
                _("%(value)s is not a known IANA time zone.") % {"value": repr(value)}
            )
        return value

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 1024 * 1024:
            raise forms.ValidationError(_("Use a logo of at most 1 MB."))
        if logo and hasattr(logo, "read"):
            head = logo.read(8192)
            logo.seek(0)
            if sniff_content_type(head) not in {
                "image/png",
                "image/jpeg",
                "image/gif",
                "image/webp",
            }:
                raise forms.ValidationError(_("Upload a PNG, JPEG, GIF or WebP image."))
        return logo
