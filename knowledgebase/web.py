"""Request helpers shared by the KB pages and the KB API."""

from __future__ import annotations

import hashlib


def session_key_for(request, *, create: bool) -> str:
    """The caller's session key; with `create`, start a session if there is none (anonymous
    votes are counted per session)."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if not session.session_key and create:
        session.save()
    return session.session_key or ""


def reader_key(request) -> str:
    """Who is reading, for counting a view once: the user, else the session, else the client
    address and browser (hashed; nothing personal is kept)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    key = session_key_for(request, create=False)
    if key:
        return f"s:{key}"
    meta = request.META
    raw = f"{meta.get('REMOTE_ADDR', '')}|{meta.get('HTTP_USER_AGENT', '')}"
    return "a:" + hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
