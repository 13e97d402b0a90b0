"""What a mail says about its ticket: numbers in the subject, reply tokens in addresses."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable

from tickets.email.parsing.text import clean_header

_TICKET_NUMBER = r"[A-Za-z][A-Za-z0-9]{0,15}-(?:\d{4}-)?\d{1,12}(?:-[A-Za-z0-9]{1,10})?"
_BRACKETED_TICKET_RE = re.compile(rf"\[\s*#?({_TICKET_NUMBER})\s*\]")
_BARE_TICKET_RE = re.compile(rf"(?<![A-Za-z0-9-])#?({_TICKET_NUMBER})(?![A-Za-z0-9-])")
_MAX_TICKET_CANDIDATES = 10


def extract_ticket_number_candidates(subject: str) -> list[str]:
    """Return ticket-number-like tokens of ``subject``, bracketed ones first, uppercased."""
    candidates: list[str] = []
    for pattern in (_BRACKETED_TICKET_RE, _BARE_TICKET_RE):
        for match in pattern.finditer(subject or ""):
            token = match.group(1).upper()
            if token not in candidates:
                candidates.append(token)
    return candidates[:_MAX_TICKET_CANDIDATES]


_REPLY_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def extract_reply_token(addresses: Iterable[str]) -> str | None:
    """Return the plus-address token of the first ``local+token@domain`` address.

    Accepts bare addresses or whole header values ("Name <a@b>, c@d"); the token keeps
    its case, so pass raw header values (``ParsedEmail.headers["To"]``) when case matters.
    """
    values = [clean_header(a) for a in addresses if isinstance(a, str)]
    try:
        parsed = [addr for _name, addr in email.utils.getaddresses(values)]
    except Exception:  # a hostile header must not break token lookup
        parsed = values
    for addr in parsed:
        local, at, _domain = addr.strip().strip("<>").rpartition("@")
        _mailbox, plus, token = local.partition("+")
        if at and plus and _REPLY_TOKEN_RE.fullmatch(token):
            return token
    return None
