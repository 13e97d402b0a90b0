from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from panel1.accounts import ratelimit


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's login form behind failed-attempt counters (per client address and per address
    typed). The answer never tells whether an account exists: unknown addresses count and fail
    exactly like wrong passwords, and the limit message is the same for both."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match an account. Check both."),
        "rate_limited": _("Too many attempts. Wait a few minutes, then try again."),
    }

    def clean(self):
        email = (self.data.get("username") or "").strip().lower()
        ip = ratelimit.client_ip(self.request) if self.request else "unknown"
        if ratelimit.is_limited("login-ip", ip) or ratelimit.is_limited("login-email", email):
            raise ValidationError(self.error_messages["rate_limited"], code="rate_limited")
        try:
            return super().clean()
        except ValidationError:
            ratelimit.hit("login-ip", ip)
            ratelimit.hit("login-email", email)
            raise


def language_field_choices(tenant) -> list[tuple[str, str]]:
    """The tenant's offered languages, each named in itself."""
    from panel1.i18n.languages import language_choices, offered_languages

    return language_choices(offered_languages(tenant))


def timezone_field_choices(tenant) -> list[tuple[str, str]]:
    """ "" (the helpdesk's zone, named) and every IANA zone."""
    from zoneinfo import available_timezones

    zone = getattr(tenant, "default_timezone", "") or "UTC"
    zones = sorted(available_timezones() - {"localtime", "Factory"})
    return [("", _("The helpdesk's time zone (%(zone)s)") % {"zone": zone})] + [
        (name, name) for name in zones
    ]


class ProfileForm(forms.Form):
    """A staff member's own language and time zone (the desk's profile page)."""

    language = forms.ChoiceField(label=_("Language"), choices=())
    timezone = forms.ChoiceField(label=_("Time zone"), choices=(), required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_field_choices(tenant)
        self.fields["timezone"].choices = timezone_field_choices(tenant)
