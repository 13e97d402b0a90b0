"""Inbound mail authentication: is the From address of a known customer forged?

Two sources of verdicts, first match wins:
1. The trusted MTA's `Authentication-Results` header (RFC 8601), when its authserv-id equals
   `EMAIL_TRUSTED_AUTHSERV_ID` (anyone can write such a header into a mail; the MTA's own is
   the topmost). Held on `dmarc=fail`.
2. Otherwise, with `EMAIL_VERIFY_SENDER` on (the default), our own SPF, DKIM and DMARC
   checks (tickets.email.sender_auth; DNS lookups). Held when DMARC fails and the domain's
   policy is `quarantine` or `reject` (`p=none` asks receivers not to act on failures).

Only mail whose From names the domain of a known customer is checked at all (the checks cost
DNS lookups): such mail failing DMARC is held for review instead of being appended to that
customer's tickets (a spoofed From would otherwise write into their conversation).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import BooleanField, Exists, Value
from django.db.models.functions import Reverse, Upper

from panel1.accounts.models import REVERSED_EMAIL, Role, User

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


def _own_verdicts(inbound, from_email: str) -> dict[str, str] | None:
    """SPF/DKIM/DMARC checked here, from the stored raw mail."""
    if inbound is None or not getattr(settings, "EMAIL_VERIFY_SENDER", False):
        return None
    from tickets.email.sender_auth import verify_sender
    from tickets.email.storage import _raw_bytes

    verdict = verify_sender(_raw_bytes(inbound), from_email=from_email)
    if verdict.dmarc == "fail" and verdict.policy in ("quarantine", "reject"):
        return {**verdict.as_dict(), "checked": "here"}
    return {**verdict.as_dict(), "dmarc": "pass" if verdict.dmarc == "pass" else "not-enforced"}


def _domain(from_email: str) -> str:
    return from_email.rsplit("@", 1)[1].lower() if "@" in (from_email or "") else ""


def _customers_at(domain: str):
    """Active customers with an address at `domain` (case-insensitive): the reversed
    upper-cased address starts with the reversed "@DOMAIN" (`accounts_user_email_rev_idx`)."""
    return User.objects.annotate(reversed_email=REVERSED_EMAIL).filter(
        role=Role.CUSTOMER,
        is_active=True,
        reversed_email__startswith=Reverse(Upper(Value(f"@{domain}"))),
    )


def known_customer_domain(from_email: str) -> Exists | Value:
    """Whether an active customer has an address at the domain of `from_email`, as an SQL
    expression to be asked along with other questions (see `spoofed_known_customer`)."""
    domain = _domain(from_email)
    if not domain:
        return Value(False, output_field=BooleanField())
    return Exists(_customers_at(domain))


def spoofed_known_customer(
    headers: dict[str, str], from_email: str, *, inbound=None, domain_known: bool | None = None
) -> str | None:
    """A reason to hold the mail when it fails DMARC for the domain of a known customer.
    `inbound` (the stored mail) lets us check SPF and DKIM ourselves when no trusted MTA
    header gives the verdicts; `domain_known` is `known_customer_domain` already asked by
    the caller (else it is asked here)."""
    domain = _domain(from_email)
    if not domain:
        return None
    if domain_known is None:
        domain_known = _customers_at(domain).exists()
    if not domain_known:
        return None
    verdicts = authentication_results(headers)
    if verdicts is None:
        verdicts = _own_verdicts(inbound, from_email)
    if not verdicts or verdicts.get("dmarc") != "fail":
        return None
    checked = (
        f" (checked here: SPF {verdicts['spf']}, DKIM {verdicts['dkim']}, "
        f"policy {verdicts['policy']})"
        if verdicts.get("checked")
        else ""
    )
    return (
        f"DMARC failed for {domain}, the domain of a known customer{checked}: held as possible "
        "spoofing; release to process."
    )
