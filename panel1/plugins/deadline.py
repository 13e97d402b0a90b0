"""Stopping a synchronous plugin hook that overruns its time budget, mid-run.

Mechanism: a real-time interval timer (`signal.setitimer(ITIMER_REAL)`) armed for the hook's
budget; when it fires, the SIGALRM handler raises `HookTimeout` in the hook's own frame, so
`time.sleep`, pure-Python loops, socket reads and anything else that returns to the
interpreter stop there. The hook runs inside a savepoint (`hooks.run_isolated`), so what it
wrote is rolled back and the request goes on.

Chosen over the alternatives because the hook keeps running in the request's thread, on the
request's database connection and transaction (a worker thread would see neither the
uncommitted ticket nor the tenant's schema, and an abandoned thread keeps running and writing
after the request ended); and over `statement_timeout` alone because most slow hooks are slow
outside the database (a remote call, a sleep, a loop).

Safety rules of the handler:

- `HookTimeout` is a `BaseException`: a plugin's own `except Exception:` cannot swallow it.
- A query in flight is never interrupted by an exception (psycopg would leave the connection
  busy): the handler cancels it on the server (`PQcancel`, signal-safe) and re-arms the timer
  for `RETRY_SECONDS`; the hook sees `QueryCanceled` and, if it goes on, the next alarm
  raises.
- The exception is never raised inside Django's transaction bookkeeping, psycopg, or this
  module (the interrupted stack is looked at first); the handler re-arms and tries again
  moments later, once the hook is back in its own code.
- Nested hooks (a hook whose capability call runs another plugin's filter) share the timer:
  the inner deadline is the earlier of its own budget and the outer one's, and the outer
  deadline is restored when the inner hook ends.

Limits (also in docs/plugins.md): signals are delivered to the main thread only, so the timer
is used when the hook runs in the main thread of the process (gunicorn sync workers, the
django-q2 worker processes, manage.py, tests); in any other thread (the threaded development
server) and where SIGALRM is already in use by someone else, the hook runs to its end and an
overrun is counted afterwards, as before. A hook blocked inside a C call that does not return
to the interpreter (rare: most blocking calls are interrupted by the signal) stops as soon as
it does. Time spent past the deadline before the handler may raise (a query being cancelled,
Django committing a savepoint) is bounded by `RETRY_SECONDS` steps.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from dataclasses import dataclass

RETRY_SECONDS = 0.01
# Code the timeout exception must never be raised in (their bookkeeping would be left half
# done): Django's transaction handling and database backend, psycopg, and this module.
_GUARDED = (
    "/django/db/transaction.py",
    "/django/db/backends/",
    "/psycopg/",
    "/psycopg_c/",
    __file__.replace("\\", "/"),
)


class HookTimeout(BaseException):
    """Raised inside a hook that ran past its deadline (`run_isolated` catches it)."""

    def __init__(self, deadline: Deadline):
        self.deadline = deadline
        super().__init__(f"stopped after {deadline.budget * 1000:.0f} ms")


@dataclass(eq=False)
class Deadline:
    budget: float  # seconds
    at: float  # time.monotonic() when it expires
    boundary: object = None  # the frame that runs the hook: the search for guarded code ends there
    interrupted: bool = False

    def expired(self) -> bool:
        return time.monotonic() >= self.at


_stack: list[Deadline] = []
# While hooks run: the SIGALRM handler and timer that were there before (django-q2's task
# timeout uses `signal.alarm`), restored afterwards; `foreign_at` is when that timer is due.
_saved: dict = {}


def available() -> bool:
    """Whether hooks can be interrupted here (the main thread, and SIGALRM is free or has a
    Python handler we can stand in for)."""
    if not hasattr(signal, "setitimer"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    if _stack:
        return True
    handler = signal.getsignal(signal.SIGALRM)
    if handler is None:  # installed outside Python: we could not put it back
        return False
    return signal.getitimer(signal.ITIMER_REAL)[0] == 0 or callable(handler)


def _due_at() -> float:
    times = [d.at for d in _stack]
    if _saved.get("foreign_at") is not None:
        times.append(_saved["foreign_at"])
    return min(times)


class deadline:
    """Run the block with a deadline `seconds` from now; `as` gives the `Deadline`, or None
    where it cannot be enforced (the caller then measures the time afterwards). The caller
    catches `HookTimeout` whose `deadline` is the one it got, and re-raises any other (an
    outer hook's deadline that passed while this one ran). A class, not a generator: its
    `__exit__` runs in this module, where the alarm never raises."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.mine: Deadline | None = None

    def __enter__(self) -> Deadline | None:
        if self.seconds <= 0 or not available():
            return None
        now = time.monotonic()
        mine = Deadline(budget=self.seconds, at=now + self.seconds, boundary=sys._getframe(1))
        if not _stack:
            pending = signal.getitimer(signal.ITIMER_REAL)[0]
            _saved["foreign_at"] = now + pending if pending > 0 else None
            _saved["handler"] = signal.signal(signal.SIGALRM, _on_alarm)
        _stack.append(mine)
        self.mine = mine
        _arm(_due_at() - now)
        return mine

    def __exit__(self, *exc_info) -> None:
        if self.mine is None:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        _stack.remove(self.mine)
        if _stack:
            _arm(_due_at() - time.monotonic())
        else:
            _restore()


def _restore() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)  # a handler that ran meanwhile may have re-armed
    signal.signal(signal.SIGALRM, _saved.pop("handler"))
    foreign_at = _saved.pop("foreign_at", None)
    if foreign_at is not None:  # the task's own timeout goes on (fires at once if it is due)
        _arm(foreign_at - time.monotonic())


def _arm(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))


def _on_alarm(signum, frame) -> None:
    # The outermost expired deadline wins: its hook is the one over budget. When the timer
    # that was there before us is due (a task timeout), every hook stops and `_restore`
    # hands the alarm back to its owner.
    if not _stack:
        return
    foreign_at = _saved.get("foreign_at")
    if foreign_at is not None and time.monotonic() >= foreign_at:
        due = _stack[0]
    else:
        due = next((d for d in _stack if d.expired()), None)
    if due is None:
        _arm(_due_at() - time.monotonic())
        return
    if _query_cancelled() or _guarded(frame, due.boundary):
        _arm(RETRY_SECONDS)
        return
    due.interrupted = True
    raise HookTimeout(due)


def _guarded(frame, boundary) -> bool:
    """Whether the interrupted code (up to the hook's runner) is bookkeeping not to break. The
    runner's own frame counts too: the hook has not started or has already returned."""
    if frame is boundary:
        return True
    while frame is not None and frame is not boundary:
        filename = frame.f_code.co_filename.replace("\\", "/")
        if any(part in filename for part in _GUARDED):
            return True
        frame = frame.f_back
    return False


def _query_cancelled() -> bool:
    """Cancel the query in flight on the default connection, if any (answers whether one was)."""
    from django.db import connection

    raw = getattr(connection, "connection", None)
    pgconn = getattr(raw, "pgconn", None)
    if pgconn is None:
        return False
    from psycopg import pq

    if pgconn.transaction_status != pq.TransactionStatus.ACTIVE:
        return False
    with contextlib.suppress(Exception):  # the server went away: psycopg tells the hook
        pgconn.get_cancel().cancel()
    return True
