"""Shape-only forms of the admin area; every rule is checked by the services they feed."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from desk.models import CannedResponse
from panel1.tenants.forms import BrandingForm
from tickets.models import Category, EmailTemplateKey

# PostgreSQL's built-in text search configurations, by the language people know them as.
KB_SEARCH_LANGUAGES = (
    ("simple", _("No language rules (exact words)")),
    ("arabic", _("Arabic")),
    ("armenian", _("Armenian")),
    ("basque", _("Basque")),
    ("catalan", _("Catalan")),
    ("danish", _("Danish")),
    ("dutch", _("Dutch")),
    ("english", _("English")),
    ("finnish", _("Finnish")),
    ("french", _("French")),
    ("german", _("German")),
    ("greek", _("Greek")),
    ("hindi", _("Hindi")),
    ("hungarian", _("Hungarian")),
    ("indonesian", _("Indonesian")),
    ("irish", _("Irish")),
    ("italian", _("Italian")),
    ("lithuanian", _("Lithuanian")),
    ("nepali", _("Nepali")),
    ("norwegian", _("Norwegian")),
    ("portuguese", _("Portuguese")),
    ("romanian", _("Romanian")),
    ("russian", _("Russian")),
    ("serbian", _("Serbian")),
    ("spanish", _("Spanish")),
    ("swedish", _("Swedish")),
    ("tamil", _("Tamil")),
    ("turkish", _("Turkish")),
    ("yiddish", _("Yiddish")),
)


def _timezones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones() - {"localtime", "Factory"})]


class SettingsForm(BrandingForm):
    """Branding, numbering and portal options, with words instead of setting names."""

    default_timezone = forms.ChoiceField(label=_("Default time zone"), choices=_timezones)
    kb_search_config = forms.ChoiceField(
        label=_("Knowledge base search language"),
        choices=KB_SEARCH_LANGUAGES,
        help_text=_("Search finds other forms of a word (plural, tense) in this language."),
    )

    class Meta(BrandingForm.Meta):
        labels = {
            "display_name": _("Helpdesk name"),
            "primary_color": _("Brand colour"),
            "support_email": _("Support address (mail is sent from it)"),
            "footer_text": _("Footer text"),
            "ticket_prefix": _("Ticket number prefix"),
            "ticket_number_include_year": _("Put the year in ticket numbers"),
            "ticket_number_padding": _("Digits in ticket numbers"),
            "ticket_suffix": _("Ticket number suffix"),
            "allow_signup": _("Customers may sign up in the portal"),
            "customers_can_set_priority": _("Customers may choose a priority"),
            "customers_can_cc": _("Customers may copy others on tickets"),
        }
        help_texts = {"kb_search_config": ""}


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "description", "color", "is_active"]
        widgets = {
            "color": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"is_active": _("Active (offered on new tickets)")}


class CannedResponseForm(forms.ModelForm):
    shared = forms.BooleanField(
        required=False, label=_("Shared with the whole team (otherwise only you see it)")
    )

    class Meta:
        model = CannedResponse
        fields = ["title", "shortcut", "content", "category", "is_active"]
        widgets = {"content": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, can_share: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.order_by("name")
        self.fields["category"].empty_label = _("— any category —")
        if not can_share:
            del self.fields["shared"]


class StaffInviteForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=[])

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class AgentEditForm(forms.Form):
    role = forms.ChoiceField(choices=[])
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the agent may work every category."),
    )
    # Availability (online/away/offline) is the agent's own switch and the routing screen's.
    capacity = forms.IntegerField(
        min_value=0, max_value=10_000, label=_("At most this many open tickets (0 = no limit)")
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["categories"].queryset = Category.objects.order_by("name")


class EmailTemplateForm(forms.Form):
    key = forms.ChoiceField(choices=EmailTemplateKey.choices, widget=forms.HiddenInput)
    subject = forms.CharField(max_length=255)
    body_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), label=_("Text"))
    body_html = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        label=_("HTML (optional)"),
        help_text=_("Empty: the text, as paragraphs."),
    )
    is_active = forms.BooleanField(required=False, label=_("Use this text instead of the default"))
