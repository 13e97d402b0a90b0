"""What a report is asked for: the period, its previous period, and the filters.

Shape is checked by the API serializer; the rules (range, known ids, who sees what) live here
so the desk pages and the API apply the same ones.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import STAFF_ROLES, User
from panel1.exceptions import DomainError
from tickets.models import Category, Channel, Priority

DEFAULT_DAYS = 30
MAX_YEARS = 5
INTERVALS = ("day", "week")
# Outside these, day arithmetic (the previous period, the day after the end) could overflow.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


@dataclass(frozen=True)
class ReportParams:
    start: dt.date
    end: dt.date
    zone: ZoneInfo
    categories: tuple[uuid.UUID | None, ...] = ()
    agents: tuple[uuid.UUID, ...] = ()
    priorities: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    interval: str = "day"
    own_only: bool = False  # an agent's view: their own rows, totals and previous period
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> ReportParams:
        """The period of equal length just before this one, with the same filters."""
        end = self.start - dt.timedelta(days=1)
        return replace(self, start=end - dt.timedelta(days=self.days - 1), end=end)

    @property
    def has_ticket_filters(self) -> bool:
        return bool(self.categories or self.agents or self.priorities or self.channels)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _range(start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    if end is None:
        end = today if start is None else max(start, today)
    if start is None:
        start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    for name, day in (("end", end), ("start", start)):
        if not EARLIEST <= day <= LATEST:
            raise DomainError(
                {
                    name: [
                        _("Give a date between %(earliest)s and %(latest)s.")
                        % {"earliest": EARLIEST, "latest": LATEST}
                    ]
                }
            )
    if end < start:
        raise DomainError({"end": [_("end must not be before start.")]})
    if end > _add_years(start, MAX_YEARS):
        raise DomainError(
            {"end": [_("A report covers at most %(max_years)s years.") % {"max_years": MAX_YEARS}]}
        )
    return start, end


def _known(ids: Sequence, queryset, field_name: str, message: str) -> None:
    found = {str(pk) for pk in queryset.filter(pk__in=ids).values_list("pk", flat=True)}
    unknown = [str(pk) for pk in ids if str(pk) not in found]
    if unknown:
        raise DomainError({field_name: [message % {"unknown": ", ".join(unknown)}]})


def report_params_build(
    *,
    viewer: User,
    zone: ZoneInfo,
    start: dt.date | None = None,
    end: dt.date | None = None,
    categories: Sequence[uuid.UUID | None] = (),
    agents: Sequence[uuid.UUID] = (),
    priorities: Sequence[str] = (),
    channels: Sequence[str] = (),
    tags: Sequence[str] = (),
    interval: str = "day",
) -> ReportParams:
    """Check the period and the filters for `viewer`; raise DomainError naming a bad one.

    Days are the tenant's local days; no dates means the last 30 days up to today. An agent
    (not a supervisor or admin) always gets their own figures only.
    """
    if not viewer.is_helpdesk_staff:
        raise DomainError({"detail": _("Reports are for staff.")})
    today = timezone.now().astimezone(zone).date()
    start, end = _range(start, end, today)
    _known(
        [c for c in categories if c is not None],
        Category.objects,
        "category",
        _("Unknown category: %(unknown)s."),
    )
    _known(
        agents, User.objects.filter(role__in=STAFF_ROLES), "agent", _("Unknown agent: %(unknown)s.")
    )
    bad = [p for p in priorities if p not in Priority.values]
    if bad:
        raise DomainError({"priority": [_("Unknown priority: %(bad)s.") % {"bad": ", ".join(bad)}]})
    bad = [c for c in channels if c not in Channel.values and not c.isupper()]
    if bad:
        raise DomainError({"channel": [_("Unknown channel: %(bad)s.") % {"bad": ", ".join(bad)}]})
    if interval not in INTERVALS:
        raise DomainError(
            {"interval": [_("Choose one of %(intervals)s.") % {"intervals": ", ".join(INTERVALS)}]}
        )
    own_only = not viewer.is_supervisor_or_admin
    return ReportParams(
        start=start,
        end=end,
        zone=zone,
        categories=tuple(dict.fromkeys(categories)),
        agents=(viewer.pk,) if own_only else tuple(dict.fromkeys(agents)),
        priorities=tuple(dict.fromkeys(priorities)),
        channels=tuple(dict.fromkeys(channels)),
        tags=tuple(dict.fromkeys(t.strip().lower() for t in tags if t.strip())),
        interval=interval,
        own_only=own_only,
    )
