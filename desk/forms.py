"""Shapes of the desk's forms; business rules are checked by the services."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from desk.services import BULK_ACTIONS
from panel1.accounts.models import STAFF_ROLES, User
from tickets.models import Category, Priority, Status

KEEP_STATUS = [("", gettext_lazy("Keep status"))]


def staff_users():
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("name", "email")


class ReplyForm(forms.Form):
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), max_length=200_000, strip=False
    )
    internal = forms.BooleanField(required=False)
    status_after = forms.ChoiceField(choices=KEEP_STATUS + Status.choices, required=False)
    time_spent = forms.IntegerField(min_value=0, max_value=60 * 24 * 7, required=False)
    seen_at = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    macro = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_content(self):
        content = self.cleaned_data["content"]
        if not content.strip():
            raise forms.ValidationError(_("Write something first."))
        return content

    def clean_seen_at(self) -> datetime | None:
        return parse_instant(self.cleaned_data.get("seen_at"))


def parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if timezone.is_aware(instant) else instant.replace(tzinfo=UTC)


class DraftForm(forms.Form):
    content = forms.CharField(required=False, max_length=200_000, strip=False)
    internal = forms.BooleanField(required=False)
    status_after = forms.ChoiceField(choices=KEEP_STATUS + Status.choices, required=False)


class PropertyForm(forms.Form):
    """One property per request (the desk edits in place); absent fields are left alone."""

    status = forms.ChoiceField(choices=Status.choices, required=False)
    priority = forms.ChoiceField(choices=Priority.choices, required=False)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    assignee = forms.ModelChoiceField(queryset=staff_users(), required=False)
    tags = forms.CharField(required=False, max_length=2000)
    reason = forms.CharField(required=False, max_length=2000)
    # The ticket version the form was rendered from: a newer ticket is a conflict to show,
    # not an edit to overwrite (absent: last write wins, as for API calls without If-Match).
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def changed_fields(self, data) -> list[str]:
        names = ("status", "priority", "category", "assignee", "tags")
        return [name for name in names if name in data]


class AssignMeForm(forms.Form):
    """ "Assign to me": only an unassigned ticket, unless taking it over was confirmed for the
    version the question was asked about."""

    take = forms.BooleanField(required=False)
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class CcForm(forms.Form):
    email = forms.EmailField(required=False, max_length=254)
    remove = forms.UUIDField(required=False)


class BulkForm(forms.Form):
    tickets = forms.TypedMultipleChoiceField(coerce=str, required=True)
    action = forms.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    assignee = forms.CharField(required=False)
    status = forms.ChoiceField(choices=[("", "")] + Status.choices, required=False)
    priority = forms.ChoiceField(choices=[("", "")] + Priority.choices, required=False)
    tags = forms.CharField(required=False, max_length=500)
    merge_target = forms.CharField(required=False, max_length=64)
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any submitted id is accepted here; visibility is applied when the tickets are read.
        self.fields["tickets"].valid_value = lambda value: True

    def clean(self):
        data = super().clean()
        action = data.get("action")
        needed = {"status": "status", "priority": "priority", "tags_add": "tags"}
        name = needed.get(action)
        if name and not data.get(name):
            self.add_error(name, _("Choose a value for this action."))
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=80)
    is_shared = forms.BooleanField(required=False)
    ordering = forms.CharField(required=False, max_length=32)


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in (text or "").replace(";", ",").split(",") if t.strip()]


def split_words(text: str) -> list[str]:
    """Domains typed with commas, spaces or newlines between them."""
    return [w for w in (text or "").replace(",", " ").split() if w]


class CustomerForm(forms.Form):
    name = forms.CharField(required=False, max_length=200)
    email = forms.EmailField(max_length=254)
    organization = forms.ModelChoiceField(queryset=None, required=False)
    language = forms.ChoiceField(choices=[], required=False)
    timezone = forms.CharField(required=False, max_length=64)
    notes = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)
    tags = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        from tickets.models import Organization

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")
        self.fields["language"].choices = [("", "—"), *settings.LANGUAGES]


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    domains = forms.CharField(required=False, max_length=5000)
    notes = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)
    shares_tickets = forms.BooleanField(required=False)


class NewTicketForm(forms.Form):
    requester = forms.UUIDField(required=False)
    requester_email = forms.EmailField(required=False, max_length=254)
    requester_name = forms.CharField(required=False, max_length=200)
    channel = forms.ChoiceField(
        choices=[("PHONE", "Phone"), ("EMAIL", "Email"), ("WALK_IN", "Walk-in"), ("WEB", "Web")]
    )
    send = forms.ChoiceField(choices=[("log", "Log only"), ("send", "Send to the customer")])
    subject = forms.CharField(max_length=255)
    content = forms.CharField(max_length=200_000, strip=False, widget=forms.Textarea)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True), required=False
    )
    tags = forms.CharField(required=False, max_length=2000)
    assignee = forms.ModelChoiceField(queryset=staff_users(), required=False)
    status = forms.ChoiceField(choices=[("", "Open")] + Status.choices, required=False)
    follow_up = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_content(self):
        content = self.cleaned_data["content"]
        if not content.strip():
            raise forms.ValidationError(_("Write the request or your message."))
        return content

    def clean(self):
        data = super().clean()
        chosen = data.get("requester") or data.get("requester_email")
        if not chosen and "requester_email" not in self.errors:
            self.add_error("requester_email", _("Pick a customer or enter the email of a new one."))
        return data


class MacroForm(forms.Form):
    """A canned response and the actions that go with it (empty fields: no action)."""

    title = forms.CharField(max_length=120)
    shortcut = forms.SlugField(max_length=40, required=False)
    content = forms.CharField(max_length=200_000, strip=False, widget=forms.Textarea)
    shared = forms.BooleanField(required=False)
    status = forms.ChoiceField(choices=[("", "—")] + Status.choices, required=False)
    priority = forms.ChoiceField(choices=[("", "—")] + Priority.choices, required=False)
    category = forms.CharField(required=False, max_length=40)
    tags = forms.CharField(required=False, max_length=2000)
    assignee = forms.CharField(required=False, max_length=40)
    cc = forms.CharField(required=False, max_length=2000)
    note = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)

    def actions(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "priority": data["priority"],
            "category": data["category"],
            "tags": split_tags(data["tags"]),
            "assignee": data["assignee"],
            "cc": split_tags(data["cc"]),
            "note": data["note"],
        }

    @classmethod
    def initial_for(cls, macro) -> dict:
        actions = macro.actions or {}
        return {
            "title": macro.title,
            "shortcut": macro.shortcut,
            "content": macro.content,
            "shared": macro.owner_id is None,
            "status": actions.get("status", ""),
            "priority": actions.get("priority", ""),
            "category": actions.get("category", ""),
            "tags": ", ".join(actions.get("tags", [])),
            "assignee": actions.get("assignee", ""),
            "cc": ", ".join(actions.get("cc", [])),
            "note": actions.get("note", ""),
        }
