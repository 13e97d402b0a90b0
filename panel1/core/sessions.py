"""Django's database sessions, read by SQL compiled once per connection (SESSION_ENGINE).

Every desk and portal request reads its session row; Django builds and compiles that
queryset anew each time (~0.5 ms of Python), here it runs kept SQL (`panel1.db_reads`) with
the request's key and the current time: the same statement, row and answer.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from panel1.db_reads import CompiledRead

_LIVE_SESSION = CompiledRead(
    lambda session_key, now: Session.objects.filter(
        session_key=session_key, expire_date__gt=now
    ).order_by(),
    "session_key",
    now=datetime,
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        try:
            found = _LIVE_SESSION.first(session_key=self.session_key, now=timezone.now())
        except SuspiciousOperation as exc:
            logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
            found = None
        if found is None:
            self._session_key = None
        return found
