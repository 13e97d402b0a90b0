"""Portal forms: they check shape (required, lengths, types); business rules are the services'."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from panel1.accounts import services as accounts
from panel1.accounts.models import User
from panel1.exceptions import DomainError
from tickets.models import Category, Priority

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def get_context(self, name, value, attrs):
        # Texts of static/js/attachments.js (drop and paste), translated here: no inline script.
        attrs = {
            **(attrs or {}),
            "data-drop-hint": _("Drop files here, or paste an image into the text box."),
            "data-remove-label": _("Remove"),
        }
        return super().get_context(name, value, attrs)


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files, each checked against the per-file size limit."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(f, initial) for f in files if f]
        if len(files) > MAX_FILES:
            raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
        limit = settings.ATTACHMENT_MAX_FILE_SIZE
        too_big = [f.name for f in files if f.size > limit]
        if too_big:
            raise ValidationError(
                _("%(names)s is larger than %(limit)s, the limit per file.")
                % {"names": ", ".join(too_big), "limit": filesizeformat(limit)}
            )
        if sum(f.size for f in files) > settings.ATTACHMENT_MAX_MESSAGE_SIZE:
            raise ValidationError(
                _("All attachments together may be at most %(limit)s.")
                % {"limit": filesizeformat(settings.ATTACHMENT_MAX_MESSAGE_SIZE)}
            )
        return files


def attachment_help() -> str:
    return _("Up to %(n)d files, %(size)s each; programs and scripts are not accepted.") % {
        "n": MAX_FILES,
        "size": filesizeformat(settings.ATTACHMENT_MAX_FILE_SIZE),
    }


def add_domain_errors(form: forms.Form, error: DomainError, field_map: dict | None = None):
    """Show a service's DomainError on the form: on the field it names, else at the top."""
    for field, messages in error.errors.items():
        name = (field_map or {}).get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, str(message))


# --- Accounts -------------------------------------------------------------------------------


def _autocomplete(token: str, widget=forms.TextInput) -> forms.Widget:
    """A widget that tells browsers and password managers what the field holds."""
    return widget(attrs={"autocomplete": token})


def _new_password() -> forms.Widget:
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200, widget=_autocomplete("name"))
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=_autocomplete("email", forms.EmailInput)
    )
    password1 = forms.CharField(label=_("Password"), strip=False, widget=_new_password())
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=_new_password())
    # A field people never see: bots that fill every input get a normal-looking answer.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            probe = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                validate_password(password, user=probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=_autocomplete("email", forms.EmailInput)
    )


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, widget=_autocomplete("name")
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=(), widget=_autocomplete("language", forms.Select)
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=(), required=False)
    notify_by_email = forms.BooleanField(
        label=_("Email me when my requests are answered or updated"), required=False
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        from panel1.accounts.forms import language_field_choices, timezone_field_choices

        self.fields["language"].choices = language_field_choices(tenant)
        self.fields["timezone"].choices = timezone_field_choices(tenant)


# --- Tickets --------------------------------------------------------------------------------


class NewTicketForm(forms.Form):
    # The KB suggestions list opens under it: the browser's own list would cover it.
    subject = forms.CharField(label=_("Subject"), max_length=255, widget=_autocomplete("off"))
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50_000,
        help_text=_("You can use **bold**, _italic_, lists, links and `code`."),
    )
    category = forms.ModelChoiceField(
        label=_("Topic"), queryset=Category.objects.none(), required=False, empty_label=_("—")
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, required=False)
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, allow_priority: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help()
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("name")
        if allow_priority:
            self.fields["priority"].initial = Priority.MEDIUM
        else:
            del self.fields["priority"]


class ReplyForm(forms.Form):
    content = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help()


class CCForm(forms.Form):
    # Someone else's address: the browser must not offer the customer's own.
    email = forms.EmailField(
        label=_("Colleague's email"), max_length=254, widget=_autocomplete("off", forms.EmailInput)
    )


def _stars(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        # 1 to 5 in the DOM as on screen: arrow keys move up the scale, as they look.
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class RatingForm(forms.Form):
    """The survey's three questions (1-5, each optional, at least one) and a comment.

    `rating` answers all three alike (the one-click links from the survey mail send it).
    """

    QUESTIONS = ("response_time", "solution", "team")

    response_time = _stars(_("How satisfied are you with our response time?"))
    solution = _stars(_("How satisfied are you with the solution?"))
    team = _stars(_("How satisfied are you with our team?"))
    rating = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=_("Anything to add?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, questions: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in (questions or {}).items():
            if name in self.fields:
                self.fields[name].label = text

    def clean(self):
        data = super().clean()
        if data.get("rating") and not any(data.get(q) for q in self.QUESTIONS):
            data.update(dict.fromkeys(self.QUESTIONS, data["rating"]))
        if not self.errors and not any(data.get(q) for q in self.QUESTIONS):
            raise forms.ValidationError(_("Answer at least one question."))
        return data

    @property
    def answers(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.QUESTIONS}

    @staticmethod
    def initial_of(rating) -> dict | None:
        if rating is None:
            return None
        return {
            "response_time": rating.response_time or rating.rating,
            "solution": rating.solution or rating.rating,
            "team": rating.team or rating.rating,
            "comment": rating.comment,
        }


class _PasswordSaveByService:
    """Django's password forms (validators, mismatch and old-password errors) whose write goes
    through the accounts service instead of `user.save()`."""

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data["new_password1"]
        return accounts.password_set(actor=self.user, user=self.user, password=password)


class SetPasswordForm(_PasswordSaveByService, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(_PasswordSaveByService, auth_forms.PasswordChangeForm):
    pass
