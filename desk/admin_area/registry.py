"""The admin area's section registry.

Each screen of /desk/admin/ is a section: a title, a URL name, a sentence for the overview
and the roles that may open it. The desk registers its own sections in DeskConfig.ready();
other features register theirs the same way (`register_section(AdminSection(...))` from their
own AppConfig.ready(), after "desk" in INSTALLED_APPS or at any point before the first
request). Keys are unique: registering a key again replaces the section (handy for tests and
for a plugin that takes over a screen).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panel1.accounts.models import Role

SUPERVISORS = frozenset({Role.ADMIN, Role.SUPERVISOR})
ADMINS = frozenset({Role.ADMIN})
STAFF = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT})

# Groups in the order the navigation shows them (keys; GROUP_LABELS are shown).
GROUPS = ("Service levels", "Workflow", "People", "Channels", "Knowledge", "System")
GROUP_LABELS = {
    "Service levels": _("Service levels"),
    "Workflow": _("Workflow"),
    "People": _("People"),
    "Channels": _("Channels"),
    "Knowledge": pgettext_lazy("admin area group", "Knowledge"),
    "System": _("System"),
}


@dataclass(frozen=True)
class AdminSection:
    key: str
    title: str
    url_name: str
    description: str = ""
    group: str = "System"
    roles: frozenset = field(default=SUPERVISORS)
    order: int = 100
    demo_only: bool = False

    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""

    def allows(self, user) -> bool:
        return bool(getattr(user, "is_active", False)) and (
            getattr(user, "role", None) in self.roles or getattr(user, "is_superuser", False)
        )

    @property
    def who(self) -> str:
        """The roles that may open it, as a sentence part ("supervisors and admins")."""
        if self.roles == ADMINS:
            return str(_("admins"))
        if self.roles == SUPERVISORS:
            return str(_("supervisors and admins"))
        if self.roles == STAFF:
            return str(_("agents, supervisors and admins"))
        return ", ".join(str(Role(role).label) for role in sorted(self.roles, reverse=True))


_sections: dict[str, AdminSection] = {}


def register_section(section: AdminSection) -> AdminSection:
    _sections[section.key] = section
    return section


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def get_section(key: str) -> AdminSection | None:
    return _sections.get(key)


def all_sections() -> list[AdminSection]:
    def rank(section: AdminSection):
        group = GROUPS.index(section.group) if section.group in GROUPS else len(GROUPS)
        return (group, section.order, section.title)

    return sorted(_sections.values(), key=rank)


def sections_for(user, *, demo: bool = False) -> list[AdminSection]:
    """The sections `user` may open, in navigation order."""
    return [s for s in all_sections() if s.allows(user) and (demo or not s.demo_only)]


def grouped(sections: list[AdminSection]) -> list[tuple[str, list[AdminSection]]]:
    """(group label in the active language, its sections), in navigation order."""
    groups: dict[str, list[AdminSection]] = {}
    for section in sections:
        groups.setdefault(section.group, []).append(section)
    return [(str(GROUP_LABELS.get(group, group)), items) for group, items in groups.items()]
