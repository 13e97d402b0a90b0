"""What other apps do when a customer account is created (a registry filled in `ready()`).

`panel1.accounts` creates customers (email ingest, staff filing for someone, sign-up,
invitations) but knows nothing of tickets; the tickets app registers here to give each new
customer a profile (and an organization by email domain). Hooks run inside the creating
transaction and must do no I/O beyond the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from panel1.accounts.models import User

CustomerHook = Callable[["User"], None]
_customer_created: dict[str, CustomerHook] = {}


def register_customer_created(key: str, hook: CustomerHook) -> None:
    """Register (or replace, by key) a hook called with each newly created customer."""
    _customer_created[key] = hook


def unregister_customer_created(key: str) -> None:
    _customer_created.pop(key, None)


def customer_created(user: User) -> None:
    for hook in list(_customer_created.values()):
        hook(user)
