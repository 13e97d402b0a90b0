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
