"""Secrets at rest for the email channel (IMAP passwords): the one panel1 helper
(`panel1.crypto`: FIELD_ENCRYPTION_KEYS, rotation), under the names this package uses."""

from __future__ import annotations

from panel1.crypto import SecretUnreadable, decrypt_value, encrypt_value

__all__ = ["SecretUnreadable", "decrypt_secret", "encrypt_secret"]


def encrypt_secret(value: str) -> str:
    return encrypt_value(value)


def decrypt_secret(token: str) -> str:
    return decrypt_value(token)
