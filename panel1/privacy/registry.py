"""The personal-data registry: every app (and plugin) says how to export and erase a person.

An app registers one `Contributor` from its `AppConfig.ready()`:

    privacy.register(Contributor(
        name="tickets", export=export_person, erase=erase_person,
    ))

`export(person)` answers an `ExportPart`: JSON-ready data about that person only (never
about anyone else: another requester on a shared ticket, the agents who answered) and the
files that belong to them. `erase(person, pseudonym)` removes or pseudonymises everything the
app holds about the person, irreversibly, and answers counts for the erasure record. Both run
inside the export's or erasure's job in the tenant's schema; `erase` runs in one transaction
with every other contributor's, so an erasure is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from panel1.accounts.models import User


@dataclass
class ExportPart:
    data: Any = None
    # (name inside the ZIP's files/ folder, the stored file)
    files: list[tuple[str, FieldFile]] = field(default_factory=list)


@dataclass(frozen=True)
class Contributor:
    name: str
    export: Callable[[User], ExportPart]
    erase: Callable[[User, str], dict[str, int]]
    # Lower runs first on erasure (files and rows that point at others go before them).
    order: int = 100


_contributors: dict[str, Contributor] = {}


def register(contributor: Contributor) -> None:
    """Add (or replace, by name) how one app exports and erases a person's data."""
    _contributors[contributor.name] = contributor


def contributors() -> list[Contributor]:
    return sorted(_contributors.values(), key=lambda c: (c.order, c.name))
