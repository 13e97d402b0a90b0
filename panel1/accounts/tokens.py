"""Signed, expiring, single-use tokens for mailed account links.

Both generators are Django's HMAC token scheme (timestamped, keyed by SECRET_KEY, valid for
PASSWORD_RESET_TIMEOUT). A password link dies once the password changes (the hash covers the
password hash and last login); a verification link dies once the address is verified.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from panel1.accounts.models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "panel1.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
password_token = default_token_generator


def uid_encode(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def uid_decode(uidb64: str) -> User | None:
    """The active user an encoded id names, or None (bad encoding, unknown, inactive)."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.filter(pk=pk, is_active=True).first()
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError, ValidationError):
        return None
