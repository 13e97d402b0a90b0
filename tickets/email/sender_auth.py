"""Our own SPF, DKIM and DMARC verification of inbound mail (when no trusted MTA's
Authentication-Results header says it for us).

- DKIM: every `DKIM-Signature` is verified with dkimpy (the key from
  `<selector>._domainkey.<d>` TXT).
- SPF: pyspf checks the connecting client (address and HELO name taken from the topmost
  `Received:` header, the one our own receiving MTA wrote; `EMAIL_RECEIVED_TRUSTED_HOPS`
  says how many headers from the top were written by hops we trust) against the envelope
  sender (`Return-Path`, else the HELO name).
- DMARC: the `_dmarc.<From domain>` record (else that of its organizational domain); the mail
  passes when SPF or DKIM passes for a domain aligned with the From domain (relaxed: the same
  organizational domain; strict: the same name).

All DNS goes through one resolver object (`Resolver`: txt, addresses, mx, ptr), dnspython's
by default with `EMAIL_AUTH_DNS_TIMEOUT` seconds per lookup; `use_resolver()` swaps it
(tests answer from a dict, no network) and `dns_memo()` keeps its answers for a batch. A
lookup that times out gives `temperror`, never `fail`.

The organizational domain is approximated without the Public Suffix List: the last two
labels, or three under a two-letter country code whose second label is a common generic one
(`example.co.uk`).
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr
from typing import Protocol

import dkim
import spf
from django.conf import settings
from dkim.util import InvalidTagValueList, parse_tag_value

from tickets.email.parsing.headers import plain_header_values

logger = logging.getLogger(__name__)


class DnsTempError(Exception):
    """The lookup got no answer in time (or no server answered): a temporary error."""


class Resolver(Protocol):
    def txt(self, name: str) -> list[str]: ...

    def addresses(self, name: str, qtype: str) -> list[str]: ...

    def mx(self, name: str) -> list[tuple[int, str]]: ...

    def ptr(self, name: str) -> list[str]: ...


class DnsPythonResolver:
    """The system's resolver through dnspython; an absent name or record answers []."""

    def __init__(self, timeout: float = 3.0):
        self.timeout = timeout

    def _query(self, name: str, qtype: str):
        import dns.exception
        import dns.resolver

        try:
            return list(dns.resolver.resolve(name, qtype, lifetime=self.timeout, search=False))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsTempError(f"{qtype} {name}: {exc}") from exc

    def txt(self, name: str) -> list[str]:
        return [
            b"".join(record.strings).decode("utf-8", "replace")
            for record in self._query(name, "TXT")
        ]

    def addresses(self, name: str, qtype: str) -> list[str]:
        return [record.address for record in self._query(name, qtype)]

    def mx(self, name: str) -> list[tuple[int, str]]:
        return [
            (record.preference, record.exchange.to_text(True)) for record in self._query(name, "MX")
        ]

    def ptr(self, name: str) -> list[str]:
        return [record.target.to_text(True) for record in self._query(name, "PTR")]


_override: contextvars.ContextVar[Resolver | None] = contextvars.ContextVar(
    "panel1_mail_resolver", default=None
)


def active_resolver() -> Resolver:
    return _override.get() or DnsPythonResolver(
        timeout=float(getattr(settings, "EMAIL_AUTH_DNS_TIMEOUT", 3))
    )


@contextlib.contextmanager
def use_resolver(resolver: Resolver) -> Iterator[Resolver]:
    """Answer every lookup of the verification from `resolver` (tests, other DNS setups)."""
    token = _override.set(resolver)
    try:
        yield resolver
    finally:
        _override.reset(token)


class MemoResolver:
    """The answers of `resolver`, each asked once for the life of this object (a batch of
    mail, where the same domains come again and again); a temporary error is not kept."""

    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self.answers: dict[tuple, list] = {}

    def _ask(self, kind: str, *args: str) -> list:
        key = (kind, *args)
        if key not in self.answers:
            self.answers[key] = getattr(self.resolver, kind)(*args)
        return list(self.answers[key])

    def txt(self, name: str) -> list[str]:
        return self._ask("txt", name)

    def addresses(self, name: str, qtype: str) -> list[str]:
        return self._ask("addresses", name, qtype)

    def mx(self, name: str) -> list[tuple[int, str]]:
        return self._ask("mx", name)

    def ptr(self, name: str) -> list[str]:
        return self._ask("ptr", name)


def dns_memo() -> contextlib.AbstractContextManager[Resolver]:
    """Within it, each DNS question of the verification is asked once (a batch: records'
    TTLs are minutes to days; do not hold it longer than a batch)."""
    return use_resolver(MemoResolver(active_resolver()))


# --- The libraries' DNS, through the active resolver --------------------------------------


def _spf_lookup(name, qtype, strict=True, timeout=None):
    """pyspf's DNSLookup: [((name, type), value), ...] from the active resolver."""
    resolver = active_resolver()
    name = str(name).rstrip(".")
    try:
        if qtype == "TXT":
            return [((name, "TXT"), [text.encode("utf-8")]) for text in resolver.txt(name)]
        if qtype in ("A", "AAAA"):
            return [((name, qtype), address) for address in resolver.addresses(name, qtype)]
        if qtype == "MX":
            return [((name, "MX"), (pref, host)) for pref, host in resolver.mx(name)]
        if qtype == "PTR":
            return [((name, "PTR"), host) for host in resolver.ptr(name)]
    except DnsTempError as exc:
        raise spf.TempError(f"DNS {exc}") from exc
    return []  # the obsolete SPF record type and anything else: no answer


# pyspf resolves through this module-level function; every query of ours goes to the resolver.
spf.DNSLookup = _spf_lookup


def _dkim_txt(name, timeout=5):
    """dkimpy's dnsfunc: the first TXT record of `name` as bytes, or None."""
    text = name.decode("ascii", "replace") if isinstance(name, bytes) else str(name)
    try:
        records = active_resolver().txt(text.rstrip("."))
    except DnsTempError as exc:
        raise dkim.DnsTimeoutError(str(exc)) from exc
    return records[0].encode("utf-8") if records else None


# --- The verdicts -------------------------------------------------------------------------

_RECEIVED_FROM = re.compile(
    r"^\s*from\s+(?P<helo>\S+).*?\[(?:IPv6:)?(?P<ip>[0-9A-Fa-f:.]+)\]", re.I | re.S
)
_COUNTRY_SLDS = {"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go"}


@dataclass
class SenderVerdict:
    spf: str = "none"
    dkim: str = "none"
    dmarc: str = "none"
    policy: str = ""
    from_domain: str = ""
    spf_domain: str = ""
    dkim_domains: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, str]:
        return {"spf": self.spf, "dkim": self.dkim, "dmarc": self.dmarc, "policy": self.policy}


def organizational_domain(domain: str) -> str:
    labels = domain.lower().strip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _COUNTRY_SLDS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def aligned(domain: str, from_domain: str, mode: str) -> bool:
    if not domain or not from_domain:
        return False
    domain, from_domain = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    if mode == "s":
        return domain == from_domain
    return organizational_domain(domain) == organizational_domain(from_domain)


def connecting_client(received: list[str]) -> tuple[str, str]:
    """(address, HELO name) of the client our trusted MTA received the mail from, by the
    mail's `Received` header values (topmost first)."""
    hops = max(1, int(getattr(settings, "EMAIL_RECEIVED_TRUSTED_HOPS", 1)))
    if len(received) < hops:
        return "", ""
    match = _RECEIVED_FROM.match(" ".join(str(received[hops - 1]).split()))
    if not match:
        return "", ""
    try:
        address = str(ipaddress.ip_address(match.group("ip")))
    except ValueError:
        return "", ""
    return address, match.group("helo").strip("()[]").lower()


def check_spf(*, client_ip: str, helo: str, mail_from: str) -> str:
    """pass, fail, softfail, neutral, none, permerror or temperror."""
    if not client_ip:
        return "none"
    sender = mail_from or (f"postmaster@{helo}" if helo else "")
    if not sender:
        return "none"
    timeout = float(getattr(settings, "EMAIL_AUTH_DNS_TIMEOUT", 3))
    try:
        result, _code, _explanation = spf.query(
            i=client_ip, s=sender, h=helo or "unknown", timeout=timeout, querytime=timeout * 4
        ).check()
    except Exception:  # pyspf raises on odd input; never let it fail the mail
        logger.exception("SPF check failed for %s", sender)
        return "temperror"
    return {"error": "temperror", "unknown": "permerror", "ambiguous": "neutral"}.get(
        result, result
    )


# The end of the header block as the email package reads it (a blank line after any line
# ending: LF LF, LF CR, CR CR), and as dkimpy does (LF, an optional CR, LF).
_PARSER_HEAD_END = re.compile(rb"\n\n|\n\r|\r\r")
_DKIM_HEAD_END = re.compile(rb"\n\r?\n")
_DKIM_SIGNATURE = re.compile(rb"dkim-signature", re.IGNORECASE)


def header_block(raw: bytes) -> bytes:
    """The mail up to the blank line that ends its headers: a header parser reads the same
    headers from it without copying the body line by line (the whole mail if it has none)."""
    end = _PARSER_HEAD_END.search(raw)
    return raw if end is None else raw[: end.end()]


def _routing_headers(raw: bytes) -> tuple[list[str], str]:
    """The `Received` values and the first `Return-Path` of the mail, as the parser reads
    them (a plain header block without it)."""
    head = header_block(raw)
    plain = plain_header_values(head)
    if plain is not None:
        return plain.get("received", []), plain.get("return-path", [""])[0]
    headers = BytesHeaderParser(policy=compat32).parsebytes(head)
    received = [str(value) for value in headers.get_all("Received") or []]
    return received, str(headers.get("Return-Path") or "")


def _may_be_dkim_signed(raw: bytes) -> bool:
    """Whether dkimpy could find a DKIM-Signature header (its header block names one)."""
    end = _DKIM_HEAD_END.search(raw)
    return _DKIM_SIGNATURE.search(raw, 0, len(raw) if end is None else end.start()) is not None


def check_dkim(raw: bytes) -> list[tuple[str, str]]:
    """(signing domain, pass/fail/temperror) for every DKIM-Signature of the mail."""
    if not _may_be_dkim_signed(raw):
        return []  # what dkimpy finds then: it parses the whole mail first (~0.1 ms)
    try:
        verifier = dkim.DKIM(raw, timeout=int(getattr(settings, "EMAIL_AUTH_DNS_TIMEOUT", 3)))
    except dkim.DKIMException:
        return []
    signatures = [v for k, v in verifier.headers if k.lower() == b"dkim-signature"]
    results = []
    for index, value in enumerate(signatures[:5]):
        try:
            domain = parse_tag_value(value).get(b"d", b"").decode("ascii", "replace").lower()
        except (InvalidTagValueList, ValueError):
            results.append(("", "permerror"))
            continue
        try:
            ok = verifier.verify(idx=index, dnsfunc=_dkim_txt)
        except dkim.DnsTimeoutError:
            results.append((domain, "temperror"))
            continue
        except Exception:  # dkimpy raises its own errors and some of Python's on bad input
            ok = False
        results.append((domain, "pass" if ok else "fail"))
    return results


def dmarc_record(from_domain: str) -> dict[str, str] | None:
    """The DMARC tags of the From domain (or of its organizational domain), or None."""
    resolver = active_resolver()
    for candidate in dict.fromkeys([from_domain, organizational_domain(from_domain)]):
        for text in resolver.txt(f"_dmarc.{candidate}"):
            if text.strip().lower().startswith("v=dmarc1"):
                tags = {}
                for part in text.split(";"):
                    key, _eq, value = part.partition("=")
                    tags[key.strip().lower()] = value.strip().lower()
                if candidate != from_domain and tags.get("sp"):
                    tags["p"] = tags["sp"]
                return tags
    return None


def verify_sender(raw: bytes, *, from_email: str) -> SenderVerdict:
    """SPF, DKIM and DMARC of a received mail, checked here."""
    received, return_path = _routing_headers(raw)
    from_domain = from_email.rsplit("@", 1)[-1].lower() if "@" in from_email else ""
    verdict = SenderVerdict(from_domain=from_domain)
    client_ip, helo = connecting_client(received)
    mail_from = parseaddr(return_path)[1]
    verdict.spf_domain = (mail_from.rsplit("@", 1)[-1] if "@" in mail_from else helo).lower()
    verdict.spf = check_spf(client_ip=client_ip, helo=helo, mail_from=mail_from)
    signatures = check_dkim(raw)
    verdict.dkim_domains = [domain for domain, result in signatures if result == "pass"]
    verdict.dkim = _dkim_summary([result for _domain, result in signatures])
    try:
        record = dmarc_record(from_domain) if from_domain else None
    except DnsTempError:
        verdict.dmarc = "temperror"
        return verdict
    if record is None:
        return verdict
    verdict.policy = record.get("p", "none")
    spf_ok = verdict.spf == "pass" and aligned(
        verdict.spf_domain, from_domain, record.get("aspf", "r")
    )
    dkim_ok = any(aligned(d, from_domain, record.get("adkim", "r")) for d in verdict.dkim_domains)
    if spf_ok or dkim_ok:
        verdict.dmarc = "pass"
    elif verdict.spf == "temperror" or verdict.dkim == "temperror":
        verdict.dmarc = "temperror"
    else:
        verdict.dmarc = "fail"
    return verdict


def _dkim_summary(results: list[str]) -> str:
    for outcome in ("pass", "temperror", "fail", "permerror"):
        if outcome in results:
            return outcome
    return "none"
