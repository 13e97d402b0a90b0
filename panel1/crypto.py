"""Secrets at rest: one helper for every encrypted field (IMAP passwords, webhook secrets,
plugin secrets, anything marked sensitive).

Keys: `FIELD_ENCRYPTION_KEYS` (newest first; any long random strings). Without it, a key
derived from SECRET_KEY (and SECRET_KEY_FALLBACKS) by HKDF. New values are always encrypted
with the first key; every key, and the keys derived from SECRET_KEY, still decrypt, so keys
can be rotated: put the new key first, run `manage.py rotate_field_keys` (re-encrypts every
registered field with the newest key), then drop the old key.

Stored form: `enc1:<Fernet token>`. Older values are read too: bare Fernet tokens (IMAP
passwords before this helper, derived with their own salt) and plain text (webhook secrets
before encryption), which `rotate_field_keys` encrypts.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "enc1:"
_FIELD_SALT, _FIELD_INFO = b"panel1.fields", b"field-encryption-v1"
# The derivation IMAP passwords used before this helper: still accepted for reading.
_LEGACY_SALT, _LEGACY_INFO = b"panel1.tickets.email", b"imap-credentials-v1"


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key this installation no longer has."""


@functools.lru_cache(maxsize=64)
def _derive(secret: str, salt: bytes, info: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> list[Fernet]:
    configured = [k for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if k]
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    fernets = [_derive(k, _FIELD_SALT, _FIELD_INFO) for k in [*configured, *secret_keys]]
    fernets += [_derive(k, _LEGACY_SALT, _LEGACY_INFO) for k in secret_keys]
    return fernets


def _multi() -> MultiFernet:
    return MultiFernet(_keys())


def is_encrypted(value: str) -> bool:
    return bool(value) and value.startswith(PREFIX)


def encrypt_value(value: str) -> str:
    """`enc1:<token>` with the newest key; empty stays empty; an encrypted value is kept."""
    if not value or is_encrypted(value):
        return value or ""
    return PREFIX + _multi().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_value(value: str) -> str:
    """The plain text of a stored value (encrypted, a legacy bare token, or legacy plain)."""
    if not value:
        return ""
    token = value[len(PREFIX) :] if is_encrypted(value) else value
    if not is_encrypted(value) and not value.startswith("gAAAAA"):
        return value  # stored before encryption; rotate_field_keys encrypts it
    try:
        return _multi().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        if not is_encrypted(value):
            return value
        raise SecretUnreadable("the stored secret cannot be decrypted with any key") from exc


def rotate_value(value: str) -> str:
    """The value re-encrypted with the newest key (plain and legacy values get encrypted)."""
    if not value:
        return ""
    return PREFIX + _multi().encrypt(decrypt_value(value).encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class EncryptedField:
    label: str
    # Re-encrypt every stored value of this field in the current schema; answers the count.
    rotate: Callable[[], int]


_fields: dict[str, EncryptedField] = {}


def register_encrypted_field(*, label: str, rotate: Callable[[], int]) -> None:
    """Declare a field holding secrets, for `manage.py rotate_field_keys` (from ready())."""
    _fields[label] = EncryptedField(label=label, rotate=rotate)


def encrypted_fields() -> list[EncryptedField]:
    return sorted(_fields.values(), key=lambda f: f.label)
