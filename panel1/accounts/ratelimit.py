"""Fixed-window attempt counters in the cache, for login, signup and mailed links.

Cache keys carry the tenant's schema (the cache's django-tenants KEY_FUNCTION), so one
tenant's counters never limit another's. Identifiers (addresses, IPs) are hashed into the key.
Counting works on any Django cache; Redis makes `incr` atomic across processes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Scope -> at most `count` counted attempts per `seconds`. Override per scope with the
# ACCOUNT_RATE_LIMITS setting, e.g. {"login-email": (10, 900)}.
DEFAULT_LIMITS: dict[str, Limit] = {
    # Failed logins: per client address, and per address typed (known or not: no enumeration).
    "login-ip": Limit(30, 15 * 60),
    "login-email": Limit(10, 15 * 60),
    # Sign-ups (every attempt counts) per client address.
    "signup-ip": Limit(10, 60 * 60),
    # Mailed links (reset, claim, verification): per client address and per address asked for,
    # so the helpdesk cannot be used to flood one mailbox.
    "mail-ip": Limit(20, 60 * 60),
    "mail-email": Limit(3, 60 * 60),
}


def limit_for(scope: str) -> Limit:
    override = getattr(settings, "ACCOUNT_RATE_LIMITS", {}).get(scope)
    if override is not None:
        return Limit(*override)
    return DEFAULT_LIMITS[scope]


def _key(scope: str, ident: str, limit: Limit) -> str:
    digest = hashlib.sha256((ident or "").strip().lower().encode()).hexdigest()[:32]
    window = int(time.time() // limit.seconds)
    return f"ratelimit:{scope}:{digest}:{window}"


def is_limited(scope: str, ident: str) -> bool:
    """True when `ident` used up its attempts for `scope` in the current window."""
    limit = limit_for(scope)
    return (cache.get(_key(scope, ident, limit)) or 0) >= limit.count


def hit(scope: str, ident: str) -> int:
    """Count one attempt; returns the count in the current window."""
    limit = limit_for(scope)
    key = _key(scope, ident, limit)
    cache.add(key, 0, timeout=limit.seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds)
        return 1


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident, limit_for(scope)))


def client_ip(request) -> str:
    """The peer address. Behind a proxy, set REMOTE_ADDR from a trusted header in the proxy
    layer; X-Forwarded-For is not read here because clients can forge it."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
