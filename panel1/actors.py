"""Who did it: a user, the system, or an automation rule (with the rule chain that led here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from panel1.accounts.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    label: str = "system"
    chain: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, who: User | Actor | None) -> Actor:
        if isinstance(who, Actor):
            return who
        if who is None:
            return cls()
        return cls(user=who, label=str(who.pk))

    @classmethod
    def system(cls) -> Actor:
        return cls()

    @classmethod
    def automation(cls, rule_name: str, *, rule_id: str, chain: tuple[str, ...] = ()) -> Actor:
        return cls(
            label=_("automation: %(rule_name)s") % {"rule_name": rule_name}, chain=(*chain, rule_id)
        )

    @property
    def is_staff(self) -> bool:
        """The system and automation act with staff rights; users by their role."""
        return self.user is None or self.user.is_helpdesk_staff

    @property
    def display(self) -> str:
        if self.user is not None:
            return self.user.get_full_name()
        return self.label

    @property
    def event_actor(self) -> str:
        """The actor as event payloads carry it: a user id, `system` or `automation:<rule>`."""
        if self.user is not None:
            return str(self.user.pk)
        return self.label.replace("automation: ", "automation:")
