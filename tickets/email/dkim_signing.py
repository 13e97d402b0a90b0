"""Outbound DKIM signing with the tenant's own key (for SMTP setups; an ESP signs itself).

`dkim_key_generate` makes an RSA-2048 key: the private half encrypted at rest with
panel1.crypto (rotated by `manage.py rotate_field_keys`), the public half published by the
tenant as the DNS TXT record `dkim_dns_record` names (`manage.py dkim_key --schema S`, or
the desk's admin email screen). Every notification mail is then signed in
`DkimSignedEmail.message()`, so the signature covers exactly the bytes the backend sends
(relaxed/relaxed canonicalization, dkimpy's recommended header set).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.audit.services import audit_record
from panel1.crypto import decrypt_value, encrypt_value, rotate_value
from panel1.exceptions import DomainError
from tickets.models import DkimKey

KEY_BITS = 2048
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class DkimSigner:
    domain: str
    selector: str
    private_key: bytes = field(repr=False)

    def sign(self, raw: bytes) -> bytes:
        """The `DKIM-Signature: ...` header line (CRLF-folded) for the message bytes."""
        return dkim.sign(
            raw,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
        )


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(domain) <= 253 and len(labels) >= 2 and all(_LABEL.match(x) for x in labels)


@transaction.atomic
def dkim_key_generate(*, actor, domain: str, selector: str = "") -> DkimKey:
    """A new active signing key for `domain` (the older key is kept, inactive)."""
    domain = (domain or "").strip().lower().rstrip(".")
    selector = (selector or f"p1-{timezone.now():%Y%m}").strip().lower()
    errors = {}
    if not _valid_domain(domain):
        errors["domain"] = [_("Enter the mail domain, e.g. example.com.")]
    if not _LABEL.match(selector):
        errors["selector"] = [_("Letters, digits and hyphens only (at most 63).")]
    if errors:
        raise DomainError(errors)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    DkimKey.objects.filter(is_active=True).update(is_active=False)
    row = DkimKey.objects.create(
        domain=domain,
        selector=selector,
        private_key_encrypted=encrypt_value(private),
        public_key=base64.b64encode(public).decode("ascii"),
    )
    audit_record(
        actor=actor,
        action="settings_changed",
        target=row,
        details={"section": "dkim", "domain": domain, "selector": selector},
    )
    return row


def active_dkim_key() -> DkimKey | None:
    return DkimKey.objects.filter(is_active=True).first()


def dkim_dns_record(key: DkimKey) -> tuple[str, str]:
    """(name, TXT value) the tenant publishes for `key`."""
    return f"{key.selector}._domainkey.{key.domain}", f"v=DKIM1; k=rsa; p={key.public_key}"


def dkim_signer() -> DkimSigner | None:
    """The signer of the active key, when signing is on (`EMAIL_DKIM_SIGNING`)."""
    if not getattr(settings, "EMAIL_DKIM_SIGNING", True):
        return None
    key = active_dkim_key()
    if key is None:
        return None
    private = decrypt_value(key.private_key_encrypted).encode("ascii")
    return DkimSigner(domain=key.domain, selector=key.selector, private_key=private)


def dkim_keys_rotate() -> int:
    """Re-encrypt every stored private key with the newest field key (rotate_field_keys)."""
    count = 0
    for key in DkimKey.objects.all():
        DkimKey.objects.filter(pk=key.pk).update(
            private_key_encrypted=rotate_value(key.private_key_encrypted)
        )
        count += 1
    return count


class DkimSignedEmail(EmailMultiAlternatives):
    """A mail that carries a DKIM-Signature over the bytes the backend will send."""

    def __init__(self, *args, signer: DkimSigner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.signer = signer

    def message(self, **kwargs):
        msg = super().message(**kwargs)
        if self.signer is None:
            return msg
        # Serializing fixes the MIME boundary on `msg`, so the backend's own serialization
        # produces the same bytes (Date and Message-ID are already set).
        header = self.signer.sign(msg.as_bytes(linesep="\r\n"))
        _name, value = header.decode("ascii").split(":", 1)
        msg["DKIM-Signature"] = " ".join(value.split())
        return msg
