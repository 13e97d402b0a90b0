"""What the desk shows about routing: agents with status and load, today's assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from automation.routing.services import ROUTING_LABEL
from panel1.events import names
from tickets.agents import agent_list_read, profile_of
from tickets.models import AgentStatus, TicketEvent


@dataclass(frozen=True)
class AgentRow:
    user: object
    status: str
    capacity: int
    open_tickets: int
    skills: list
    languages: list
    in_pool: bool
    assigned_today: int = 0
    routed_today: int = 0

    @property
    def full(self) -> bool:
        return self.capacity > 0 and self.open_tickets >= self.capacity

    @property
    def load_percent(self) -> int:
        if self.capacity == 0:
            return 0
        return min(100, round(100 * self.open_tickets / self.capacity))

    @property
    def label(self) -> str:
        limit = str(self.capacity) if self.capacity else "∞"
        return f"{self.user.get_full_name()} — {self.status}, {self.open_tickets}/{limit}"


def _today_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def assignments_today(now: datetime) -> dict[str, tuple[int, int]]:
    """{assignee email: (assignments today, of which by routing)} in one query."""
    rows = (
        TicketEvent.objects.filter(
            event=names.TICKET_ASSIGNED, created_at__gte=_today_start(now), after__isnull=False
        )
        .values("after")
        .annotate(n=Count("id"), routed=Count("id", filter=Q(actor_label=ROUTING_LABEL)))
    )
    return {row["after"]: (row["n"], row["routed"]) for row in rows}


def agent_rows(*, now: datetime | None = None, with_today: bool = False) -> list[AgentRow]:
    """Every active staff user with status, load and capacity (one or two queries)."""
    today = assignments_today(now or timezone.now()) if with_today else {}
    rows = []
    for user in agent_list_read():
        profile = profile_of(user)
        assigned, routed = today.get(user.email, (0, 0))
        rows.append(
            AgentRow(
                user=user,
                status=profile.status if profile else AgentStatus.OFFLINE,
                capacity=profile.capacity if profile else 0,
                open_tickets=user.open_tickets,
                skills=list(profile.skills) if profile else [],
                languages=list(profile.languages) if profile else [],
                in_pool=profile is not None,
                assigned_today=assigned,
                routed_today=routed,
            )
        )
    return rows
