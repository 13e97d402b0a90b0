from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel1.sniffing import sniff_content_type
from panel1.tenants.models import Tenant
from panel1.tenants.services import TENANT_SETTINGS_FIELDS


class BrandingForm(forms.ModelForm):
    """What a tenant's own admin may change about their helpdesk (never schema or domains)."""

    offered_languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages offered"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "The languages of the desk, the portal and the mail; people pick among these, "
            "and browsers' preferences choose among them. None ticked: all of them."
        ),
    )
    default_language = forms.ChoiceField(
        label=gettext_lazy("Default language"),
        choices=(),
        required=False,
        help_text=gettext_lazy(
            "For visitors whose browser asks for none of the offered languages, and for mail "
            "to people who chose none."
        ),
    )

    class Meta:
        model = Tenant
        fields = list(TENANT_SETTINGS_FIELDS)
        widgets = {"primary_color": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from panel1.i18n.languages import (
            default_language,
            language_choices,
            offered_languages,
            shipped_languages,
        )

        choices = language_choices(shipped_languages())
        self.fields["offered_languages"].choices = choices
        self.fields["default_language"].choices = choices
        self.fields["default_language"].widget.choices = choices
        if self.instance is not None and self.instance.pk:
            self.initial["offered_languages"] = offered_languages(self.instance)
            self.initial["default_language"] = default_language(self.instance)

    def clean(self):
        cleaned = super().clean()
        offered = cleaned.get("offered_languages") or []
        default = cleaned.get("default_language")
        if offered and default and default not in offered:
            self.add_error(
                "default_language", _("The default language must be one of those offered.")
            )
        return cleaned

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
