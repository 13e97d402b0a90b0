"""Inbound mail authentication: the trusted MTA's verdict (RFC 8601 Authentication-Results).

This machine resolves no DNS, so SPF/DKIM/DMARC are not checked here; the receiving MTA
checks them and stamps `Authentication-Results: <authserv-id>; dmarc=fail ...`. Only a
header whose authserv-id equals `EMAIL_TRUSTED_AUTHSERV_ID` is believed (anyone can write
such a header into a mail; the MTA's own is the topmost). Unset: nothing is checked.

Mail failing DMARC that claims to come from the domain of a known customer is held for
review instead of being appended to that customer's tickets (a spoofed From would otherwise
write into their conversation).
"""

from __future__ import annotations

import re

from django.conf import settings

from panel1.accounts.models import Role, User

_RESULT = re.compile(r"\b(dmarc|spf|dkim)\s*=\s*([a-z]+)", re.I)


def authentication_results(headers: dict[str, str]) -> dict[str, str] | None:
    """The verdicts (`{"dmarc": "fail", ...}`) of the trusted MTA's header, or None when
    no trusted authserv-id is configured or the topmost header is not the trusted one."""
    trusted = (getattr(settings, "EMAIL_TRUSTED_AUTHSERV_ID", "") or "").strip().lower()
    value = headers.get("Authentication-Results") or ""
    if not trusted or not value:
        return None
    words = value.split(";", 1)[0].split()
    if not words or words[0].lower() != trusted:
        return None
    verdicts: dict[str, str] = {}
    for method, result in _RESULT.findall(value.split(";", 1)[-1]):
        verdicts.setdefault(method.lower(), result.lower())
    return verdicts


def spoofed_known_customer(headers: dict[str, str], from_email: str) -> str | None:
    """A reason to hold the mail when it fails DMARC for the domain of a known customer."""
    verdicts = authentication_results(headers)
    if not verdicts or verdicts.get("dmarc") != "fail" or "@" not in (from_email or ""):
        return None
    domain = from_email.rsplit("@", 1)[1].lower()
    known = User.objects.filter(
        role=Role.CUSTOMER, is_active=True, email__iendswith=f"@{domain}"
    ).exists()
    if not known:
        return None
    return (
        f"DMARC failed for {domain}, the domain of a known customer: held as possible "
        "spoofing; release to process."
    )
