"""Queues: the default views, saved-view filters, ordering and the sidebar counts.

A filter set is a small dict (what a SavedView stores and what the URL carries):

    {"status": ["OPEN", ...], "priority": [...], "category": [uuid | "none"],
     "assignee": ["me" | "none" | uuid], "tag": [...], "requester": "text or uuid",
     "q": "full text", "sla": ["breached", "at_risk"], "updated": "24h" | "7d" | "30d"}

Every queue starts from `ticket_queryset_for(user)`, i.e. `Ticket.objects.visible_to(user)`:
there is no second visibility rule here.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy

from desk.models import SavedView
from desk.sla_status import sla_summary
from panel1.db_prepared import prepared
from panel1.db_reads import CompiledRead, WithStatement, list_with
from sla.selectors import ticket_sla_at_risk_q, ticket_sla_breached_q, ticket_sla_next_due
from tickets.models import OPEN_STATUSES, Priority, Status, Ticket
from tickets.querysets import sees_every_ticket
from tickets.selectors import (
    InArray,
    priority_rank,
    ticket_queryset_for,
    ticket_search_ids,
    with_ticket_list_relations,
)

# "created_after"/"created_before" hold one ISO date each (lists, like the others, so forms and
# saved views carry them unchanged): the dashboard's date range, followed into the queue.
LIST_KEYS = (
    "status",
    "priority",
    "category",
    "assignee",
    "tag",
    "sla",
    "created_after",
    "created_before",
)
TEXT_KEYS = ("requester", "q")
UPDATED_WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
SLA_STATES = ("breached", "at_risk")
MAX_VALUES = 30
PAGE_SIZE = 50
OPEN = [str(s) for s in OPEN_STATUSES]
NEVER = Q(pk__isnull=True)  # a condition no row meets, that still compiles to SQL


@dataclass(frozen=True)
class QueueView:
    key: str
    name: str
    filters: dict
    ordering: str = "-updated_at"
    saved: SavedView | None = None

    @property
    def url_name(self) -> str:
        return "desk:saved-view" if self.saved else "desk:queue"


DEFAULT_VIEWS = [
    QueueView("mine", gettext_lazy("My open tickets"), {"assignee": ["me"], "status": OPEN}),
    QueueView(
        "unassigned",
        gettext_lazy("Unassigned"),
        {"assignee": ["none"], "status": OPEN},
        "-created_at",
    ),
    QueueView("open", gettext_lazy("All open"), {"status": OPEN}),
    QueueView(
        "waiting",
        gettext_lazy("Waiting on customer"),
        {"status": [Status.WAITING_ON_CUSTOMER.value]},
    ),
    QueueView(
        "sla", gettext_lazy("Breached / at risk"), {"sla": list(SLA_STATES), "status": OPEN}, "sla"
    ),
    QueueView("recent", gettext_lazy("Recently updated"), {"updated": "7d"}),
]
DEFAULT_VIEWS_BY_KEY = {view.key: view for view in DEFAULT_VIEWS}
SEARCH_VIEW = QueueView("search", gettext_lazy("Search"), {})


def default_views() -> list[QueueView]:
    """The built-in queues."""
    return list(DEFAULT_VIEWS)


def _uuid_or(value: str, *specials: str) -> str | None:
    if value in specials:
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def normalize_filters(raw) -> dict:
    """Keep known keys with valid values (a QueryDict or a dict); drop everything else."""
    get_list = raw.getlist if hasattr(raw, "getlist") else lambda k: _as_list(raw.get(k))
    cleaned: dict = {}
    allowed = {
        "status": lambda v: v if v in Status.values else None,
        "priority": lambda v: v if v in Priority.values else None,
        "category": lambda v: _uuid_or(v, "none"),
        "assignee": lambda v: _uuid_or(v, "me", "none"),
        "tag": lambda v: " ".join(v.lower().split())[:50] or None,
        "sla": lambda v: v if v in SLA_STATES else None,
        "created_after": _iso_date,
        "created_before": _iso_date,
    }
    for key in LIST_KEYS:
        values = []
        raw_values = get_list(key)
        if key == "tag":  # one text box may hold several: "vip, billing"
            raw_values = [t for v in raw_values for t in str(v).split(",")]
        for value in raw_values[:MAX_VALUES]:
            value = allowed[key](str(value).strip())
            if value and value not in values:
                values.append(value)
        if values:
            cleaned[key] = values
    for key in TEXT_KEYS:
        value = " ".join(str(raw.get(key) or "").split())[:200]
        if value:
            cleaned[key] = value
    updated = raw.get("updated")
    if updated in UPDATED_WINDOWS:
        cleaned["updated"] = updated
    return cleaned


def _iso_date(value: str) -> str | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day.isoformat() if 1900 <= day.year <= 2199 else None


def created_range_q(after: str | None, before: str | None) -> Q:
    """Tickets created on or after `after` and on or before `before` (whole days in the
    current time zone, the agent's on desk pages)."""
    q = Q()
    zone = timezone.get_current_timezone()
    if after:
        q &= Q(created_at__gte=datetime.combine(date.fromisoformat(after), time.min, zone))
    if before:
        end = date.fromisoformat(before) + timedelta(days=1)
        q &= Q(created_at__lt=datetime.combine(end, time.min, zone))
    return q


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def filters_q(
    filters: dict, *, user, now: datetime, counting: bool = False, matched: bool = False
) -> Q:
    """The filter set as one Q (so counts of many views fit in one aggregate); `counting`:
    the form of the search condition a COUNT over every match answers fastest (see
    `search_branches`); `matched`: the text's matches are read from the statement's
    `MATCHES` WITH query (see `search_page`)."""
    q = Q()
    if filters.get("status"):
        q &= Q(status__in=filters["status"])
    if filters.get("priority"):
        q &= Q(priority__in=filters["priority"])
    q &= _in_or_null("category_id", filters.get("category"))
    assignees = [user.pk if v == "me" else v for v in filters.get("assignee", [])]
    q &= _in_or_null("assignee_id", assignees)
    for tag in filters.get("tag", []):
        q &= Q(tags__contains=[tag])
    if filters.get("requester"):
        q &= _requester_q(filters["requester"])
    if filters.get("updated"):
        q &= Q(updated_at__gte=now - UPDATED_WINDOWS[filters["updated"]])
    if filters.get("sla"):
        q &= _sla_q(filters["sla"])
    after, before = filters.get("created_after"), filters.get("created_before")
    if after or before:
        q &= created_range_q(after[0] if after else None, before[0] if before else None)
    if filters.get("q"):
        q &= search_q(filters["q"], user=user, counting=counting, matched=matched)
    return q


_DIGITS = re.compile(r"^#?0*(\d{1,12})$")
_NUMBERISH = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)+$")


def search_q(text: str, *, user, counting: bool = False, matched: bool = False) -> Q:
    """The desk's one search box: full text over subject and messages (the API's search),
    a whole or partial ticket number ("4", "00000004", "2026-00000004"), or the requester's
    name or email."""
    branches = search_branches(text, user=user, counting=counting, matched=matched)
    return functools.reduce(operator.or_, branches)


# The WITH query of a search page's statement: the ids matching the text (see `search_page`).
MATCHES = "desk_search_matches"


def search_branches(text: str, *, user, counting: bool = False, matched: bool = False) -> list[Q]:
    """The ways `search_q` matches, one condition each, the text's matches first.

    The full-text matches and the matching people are subqueries of ids. For a page (sorted,
    50 rows) they are `IN` conditions: PostgreSQL walks the sort's index and probes the
    hashed ids until the page is full. For the count (`counting`) they are `= ANY(ARRAY())`
    conditions, which it answers from the primary key and requester indexes (a BitmapOr)
    instead of probing every ticket of the tenant. `matched`: the ids come from the
    statement's `MATCHES` WITH query instead of a subquery of their own."""
    if matched:
        ids = RawSQL(f"SELECT id FROM {MATCHES}", [])
        array = RawSQL(f"ARRAY(SELECT id FROM {MATCHES})", [])
        branches = [Q(InArray("id", array)) if counting else Q(id__in=ids)]
    else:
        matches = ticket_search_ids(text.strip(), user=user)
        branches = [Q(InArray("id", matches)) if counting else Q(id__in=matches)]
    number = number_q(text)
    if number is not None:
        branches.append(number)
    if len(text) >= 3:
        people = requesters_matching(text)
        branches.append(
            Q(InArray("requester_id", people)) if counting else Q(requester_id__in=people)
        )
    return branches


def number_q(text: str) -> Q | None:
    """A whole or partial ticket number ("4", "00000004", "2026-00000004"), else None."""
    digits = _DIGITS.match(text)
    if digits:
        # The number part ends the ticket number, before an optional suffix.
        return Q(number__iregex=rf"-0*{digits.group(1)}(-[a-z0-9]+)?$")
    if _NUMBERISH.match(text):
        return Q(number__icontains=text)
    return None


REQUESTER_MATCH_LIMIT = 20


def requesters_matching(text: str) -> QuerySet:
    """The ids of the people whose name or email contains `text`, as a subquery: their
    tickets are then found through the requester index, not by joining every ticket to its
    requester."""
    from panel1.accounts.models import User

    return User.objects.filter(Q(email__icontains=text) | Q(name__icontains=text)).values("pk")


def requester_ids_matching(text: str) -> list:
    """Ids of a few people whose name or email contains `text` (the users table is small next
    to the tickets; their tickets are then found through the requester index)."""
    if len(text) < 3:
        return []
    return list(requesters_matching(text).values_list("pk", flat=True)[:REQUESTER_MATCH_LIMIT])


def _sla_q(wanted: list[str]) -> Q:
    # No `NEVER OR ...`: PostgreSQL proves the flagged tickets' partial index
    # (`ticket_open_sla_flagged_idx`) from `breached OR at_risk` only without a third arm.
    conditions = []
    if "breached" in wanted:
        conditions.append(ticket_sla_breached_q())
    if "at_risk" in wanted:
        conditions.append(ticket_sla_at_risk_q())
    return functools.reduce(operator.or_, conditions) if conditions else NEVER


def _in_or_null(column: str, values) -> Q:
    if not values:
        return Q()
    ids = [v for v in values if v != "none"]
    q = Q(**{f"{column}__in": ids}) if ids else NEVER
    return q | Q(**{f"{column}__isnull": True}) if "none" in values else q


def _requester_q(text: str) -> Q:
    try:
        return Q(requester_id=uuid.UUID(text))
    except ValueError:
        return Q(requester__email__icontains=text) | Q(requester__name__icontains=text)


NULLABLE_SORTS = {"assignee", "sla"}
STATUS_ORDER = {status: rank for rank, status in enumerate(Status.values)}
SORTS = {
    "number": ("number",),
    "subject": (Lower("subject"),),
    "requester": (Lower("requester__email"),),
    "status": None,
    "priority": None,
    "assignee": (Lower("assignee__email"),),
    "updated": ("updated_at",),
    "created": ("created_at",),
    "sla": None,
}


def sort_key(ordering: str) -> str:
    """`-updated_at` (a view's default) and `-updated` (a column) name the same sort."""
    desc = ordering.startswith("-")
    key = ordering.lstrip("-").removesuffix("_at")
    if key not in SORTS:
        return "-updated"
    return f"-{key}" if desc else key


def order_queue(qs: QuerySet[Ticket], ordering: str) -> QuerySet[Ticket]:
    key = sort_key(ordering)
    desc = key.startswith("-")
    name = key.lstrip("-")
    if name == "priority":
        expressions = [priority_rank()]
    elif name == "status":
        expressions = [
            Case(
                *[When(status=s, then=Value(r)) for s, r in STATUS_ORDER.items()],
                output_field=IntegerField(),
            )
        ]
    elif name == "sla":
        expressions = [ticket_sla_next_due()]
    else:
        expressions = list(SORTS[name])
    ordered = []
    for expr in expressions:
        expr = expr if hasattr(expr, "resolve_expression") else F(expr)
        # NULLS LAST only where NULLs exist: on NOT NULL columns it would stop PostgreSQL
        # from walking the (updated_at DESC) index and sorting the whole queue instead.
        nulls = {"nulls_last": True} if name in NULLABLE_SORTS else {}
        ordered.append(expr.desc(**nulls) if desc else expr.asc(**nulls))
    return qs.order_by(*ordered, "-pk")


@dataclass
class QueuePage:
    view: QueueView
    filters: dict
    ordering: str
    tickets: list[Ticket]
    number: int
    has_next: bool
    total: int
    page_size: int = PAGE_SIZE
    summaries: dict = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.tickets else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.tickets)


def queue_queryset(
    user, filters: dict, *, now: datetime, counting: bool = False, matched: bool = False
) -> QuerySet[Ticket]:
    return ticket_queryset_for(user).filter(
        filters_q(filters, user=user, now=now, counting=counting, matched=matched)
    )


def queue_page(
    user,
    view: QueueView,
    filters: dict,
    *,
    ordering: str,
    page: int,
    now: datetime,
    total: int | None = None,
) -> QueuePage:
    """One page of a queue: the rows, and the count unless the sidebar knows it already."""
    if total is None and filters.get("q"):
        tickets, total, page = search_page(user, filters, ordering=ordering, page=page, now=now)
        return _queue_page(view, filters, ordering, tickets, page, total, now)
    if total is None:
        total = queue_queryset(user, filters, now=now, counting=True).count()
    page = max(1, min(page, max(1, -(-total // PAGE_SIZE))))
    offset = (page - 1) * PAGE_SIZE
    prepare = generic_plan_fits(user, filters, ordering)
    read = _compiled_page(user, filters, ordering, offset)
    if read is not None:
        me = {"user_id": user.pk} if "me" in filters.get("assignee", ()) else {}
        if sort_key(ordering).lstrip("-") in INDEXED_SORTS:
            tickets = read.all(prepare=prepare, **me)
        else:  # the ids sorted alone (planned for their values), then their rows
            tickets = _rows_of(user, [row["pk"] for row in read.all(prepare=False, **me)])
    else:
        qs = queue_queryset(user, filters, now=now)
        tickets = _page_rows(user, qs, ordering, offset, prepare=prepare)
    return _queue_page(view, filters, ordering, tickets, page, total, now)


# Filters written into a queue page's SQL as they are, whatever the moment ("me" aside: the
# reader's id is the statement's one value). With a user who sees every ticket, the page's
# statement (for a sort no index serves, the one that sorts the ids) is then compiled once per
# connection for each filter set, sort and page (`_compiled_page`), where Django compiled it on
# every request (~10 % of the page's Python time).
COMPILED_FILTERS = {"status", "priority", "category", "assignee", "tag", "sla"}
COMPILED_PAGES_MAX = 1_000
COMPILED_PAGE_MAX_OFFSET = 10 * PAGE_SIZE
_COMPILED_PAGES: dict[tuple, CompiledRead] = {}


def _compiled_page(user, filters: dict, ordering: str, offset: int) -> CompiledRead | None:
    """The compiled read of the page `_page_rows` would read (the same SQL, LIMIT and OFFSET
    written in it as Django writes them), or None where it does not apply."""
    key = sort_key(ordering)
    if (
        offset > COMPILED_PAGE_MAX_OFFSET
        or not set(filters) <= COMPILED_FILTERS
        or not sees_every_ticket(user)
    ):
        return None
    kept = {name: tuple(values) for name, values in sorted(filters.items())}
    signature = (tuple(kept.items()), key, offset)
    read = _COMPILED_PAGES.get(signature)
    if read is None:
        if len(_COMPILED_PAGES) >= COMPILED_PAGES_MAX:
            return None
        me = "me" in kept.get("assignee", ())
        read = _COMPILED_PAGES.setdefault(
            signature,
            CompiledRead(
                functools.partial(_page_queryset, kept, key, offset),
                **({"user_id": uuid.UUID} if me else {}),
            ),
        )
    return read


def _page_queryset(filters: dict, key: str, offset: int, user_id=None) -> QuerySet[Ticket]:
    """A page's queryset for a user who sees every ticket (`ticket_queryset_for` filters
    nothing then), as `_page_rows` reads it: for an indexed sort the page's tickets, else
    their ids (`pk`)."""
    reader = SimpleNamespace(pk=user_id)  # filters_q reads the user's id, for "me"
    conditions = filters_q({k: list(v) for k, v in filters.items()}, user=reader, now=None)
    qs = with_ticket_list_relations(Ticket.objects.all()).filter(conditions)
    if key.lstrip("-") in INDEXED_SORTS:
        return order_queue(qs, key).defer(*UNSHOWN)[offset : offset + PAGE_SIZE]
    narrow = order_queue(qs.select_related(None), key)
    return narrow.values("pk")[offset : offset + PAGE_SIZE]


def _queue_page(view, filters, ordering, tickets, page, total, now) -> QueuePage:
    offset = (page - 1) * PAGE_SIZE
    summaries = {t.pk: sla_summary(t, now) for t in tickets}
    return QueuePage(
        view=view,
        filters=filters,
        ordering=sort_key(ordering),
        tickets=tickets,
        number=page,
        has_next=offset + len(tickets) < total,
        total=total,
        summaries=summaries,
    )


# Sorts an index serves: PostgreSQL walks it and stops after the page.
# Columns a queue page never shows: the search vector (for the WHERE clause only), the SLA
# clock's account of its computation (JSON decoded for every row) and the people's password
# hashes.
UNSHOWN = (
    "search_vector",
    "sla_state__calculation",
    "sla_state__log",
    "sla_state__pauses",
    "requester__password",
    "assignee__password",
)
INDEXED_SORTS = {"updated", "created", "number"}
# From this offset on, an indexed sort's page reads its ids alone first, as the sorts no
# index serves do: the rows it skips are then index entries (an index-only scan of the open
# tickets' `ticket_open_updated_idx` for page 20 of "All open"), not a thousand wide rows
# joined to their people.
DEEP_OFFSET = 10 * PAGE_SIZE


def search_page(
    user, filters: dict, *, ordering: str, page: int, now: datetime
) -> tuple[list[Ticket], int, int]:
    """A search's page, its count and its number (the last page when `page` is past it), the
    page and the count in one statement that matches the text once.

    The full-text match (a GIN index scan of tickets and of messages, ~8 ms at 100k
    tickets) was made once by the COUNT and again by the page's statement: here the
    matching ids are a MATERIALIZED WITH query that the page's condition (a hashed probe
    along the sort's index) and the count (a scalar subquery, run once, answered from the
    indexes) both read."""
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    compiled = _compiled_search(user, filters, ordering, offset)
    if compiled is not None:
        tickets = compiled.rows(filters["q"])
    else:
        qs, with_matches = _search_queryset(user, filters, now=now)
        tickets = _page_rows(user, qs, ordering, offset, with_matches)
    if tickets:
        return tickets, tickets[0].queue_total, page
    # Past the last page (or nothing found): the count alone, then the last page.
    count = queue_queryset(user, filters, now=now, counting=True).count()
    last = max(1, -(-count // PAGE_SIZE))
    if count == 0 or last >= page:
        return [], count, min(page, last)
    return search_page(user, filters, ordering=ordering, page=last, now=now)


def _search_queryset(user, filters: dict, *, now: datetime | None) -> tuple[QuerySet, tuple]:
    """A search's tickets annotated with the count (`queue_total`), and the WITH query of the
    text's matches (SQL, parameters) its conditions read."""
    matches_sql, params = _sql(ticket_search_ids(filters["q"].strip(), user=user))
    if set(filters) == {"q"} and sees_every_ticket(user):
        count_sql, count_params = _search_only_ids(filters["q"], user=user)
    else:
        counted = queue_queryset(user, filters, now=now, counting=True, matched=True)
        count_sql, count_params = _sql(counted.order_by().values("pk"))
    total = RawSQL(
        f"SELECT COUNT(*) FROM ({count_sql}) AS hits",
        count_params,
        output_field=IntegerField(),
    )
    qs = queue_queryset(user, filters, now=now, matched=True).annotate(queue_total=total)
    return qs, (f"{MATCHES} AS MATERIALIZED ({matches_sql})", params)


# The search alone, read by someone who sees every ticket, on its first pages in a sort an
# index serves: the page's statement (matches, count and rows, see `search_page`) is compiled
# once per connection, reader kind, sort and page with a marker in place of the text, where
# Django compiled its three parts on every search (~a third of the page's Python time). The
# text reaches the SQL in three forms, each put back in its place: as typed (the full-text
# query), upper-cased (the exact number) and as a LIKE pattern (the requesters' names and
# emails). Texts that read as a ticket number, or shorter than 3 characters, make other
# statements and take the queryset's path.
_SEARCH_MARK = f"\x00Desk-search:{uuid.uuid4().hex}"
COMPILED_SEARCHES_MAX = 100


class _CompiledSearch:
    def __init__(self, user, key: str, offset: int) -> None:
        qs, (ctes, params) = _search_queryset(user, {"q": _SEARCH_MARK}, now=None)
        page = order_queue(qs, key).defer(*UNSHOWN)[offset : offset + PAGE_SIZE]
        self.statement = WithStatement(page, ctes, params)
        like = f"%{connection.ops.prep_for_like_query(_SEARCH_MARK)}%"
        forms = {_SEARCH_MARK: "text", _SEARCH_MARK.upper(): "upper", like: "like"}
        self.slots = []
        for param in self.statement.params:
            form = forms.get(param) if isinstance(param, str) else None
            if form is None and _SEARCH_MARK.lower() in str(param).lower():
                raise ValueError(f"the search text reached the SQL in another form: {param!r}")
            self.slots.append((form, param))

    def rows(self, text: str) -> list[Ticket]:
        forms = {
            "text": text.strip(),
            "upper": text.strip().upper(),
            "like": f"%{connection.ops.prep_for_like_query(text)}%",
        }
        return self.statement.run(
            [param if form is None else forms[form] for form, param in self.slots]
        )


def _compiled_search(user, filters: dict, ordering: str, offset: int) -> _CompiledSearch | None:
    text = filters["q"]
    key = sort_key(ordering)
    if (
        set(filters) != {"q"}
        or key.lstrip("-") not in INDEXED_SORTS
        or offset > COMPILED_PAGE_MAX_OFFSET
        or len(text) < 3
        or number_q(text) is not None
        or not sees_every_ticket(user)
    ):
        return None
    # Per connection object, as `CompiledRead`s are (converters may hold on to it).
    found = connections[DEFAULT_DB_ALIAS].__dict__.setdefault("desk_compiled_searches", {})
    signature = (user.is_helpdesk_staff, key, offset)
    search = found.get(signature)
    if search is None:
        if len(found) >= COMPILED_SEARCHES_MAX:
            return None
        search = found[signature] = _CompiledSearch(user, key, offset)
    return search


def _search_only_ids(text: str, *, user) -> tuple[str, list]:
    """The SQL of the ids a search alone finds for a user who sees every ticket: the text's
    matches (`MATCHES`) joined by UNION to the tickets the other branches find through
    their indexes. Counting them needs no look-up of each matching ticket (~3,000 of them
    for a common word at 100k tickets: ~13k index pages)."""
    others = search_branches(text, user=user, counting=True, matched=True)[1:]
    if not others:
        return f"SELECT id FROM {MATCHES}", []
    found = Ticket.objects.filter(functools.reduce(operator.or_, others)).order_by().values("id")
    sql, params = _sql(found)
    return f"SELECT id FROM {MATCHES} UNION {sql}", params


def _sql(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


# Filters whose values leave the page's plan alone: a prepared statement's generic plan
# (made once per connection, `_page_rows`) is as good as a plan made for the values. Not so
# an assignee, requester, tag, category or creation date range, whose tickets range from
# none to thousands: for a supervisor's "My open tickets" (none) the generic plan walked all
# 100k tickets (209 ms, where the plan for the value took 0.07 ms).
GENERIC_PLAN_FILTERS = {"status", "priority"}


def generic_plan_fits(user, filters: dict, ordering: str) -> bool:
    """Whether a queue page's read may go out prepared (see `GENERIC_PLAN_FILTERS`)."""
    keys = set(filters) - GENERIC_PLAN_FILTERS
    if filters.get("assignee") == ["none"]:  # IS NULL: no value in the statement
        keys.discard("assignee")
    if sort_key(ordering).lstrip("-") == "updated":  # the window is the head of the sort
        keys.discard("updated")
    return not keys and sees_every_ticket(user)


def _page_rows(
    user,
    qs: QuerySet[Ticket],
    ordering: str,
    offset: int,
    with_: tuple | None = None,
    *,
    prepare: bool = False,
) -> list[Ticket]:
    """The page's tickets. For sorts no index serves (priority, SLA due, names), and deep
    pages (`DEEP_OFFSET`), first sort the ids alone, then load those 50 rows with their
    relations: sorting ten thousand narrow rows is much cheaper than sorting them wide,
    joined to their users. `with_`:
    the WITH queries (SQL, parameters) the conditions of `qs` read; the tickets then carry
    `qs`'s `queue_total` annotation. `prepare`: the read of an indexed sort goes out
    prepared (`generic_plan_fits`): PostgreSQL plans it once per connection instead of for
    every page (~1-3 ms of planning for a ~0.7 ms read). The sorts of all matching rows
    keep plans made for their values (their generic plans were slower, and planning is
    little next to the sort)."""

    def run(queryset, prepare=False):
        if with_ is not None:
            return list_with(queryset, *with_)
        if not prepare:
            return list(queryset)
        with prepared():
            return list(queryset)

    indexed = sort_key(ordering).lstrip("-") in INDEXED_SORTS
    if indexed and (offset < DEEP_OFFSET or with_ is not None):
        page = order_queue(qs, ordering).defer(*UNSHOWN)[offset : offset + PAGE_SIZE]
        return run(page, prepare)
    narrow = order_queue(qs.select_related(None), ordering)
    if with_ is None:
        ids = run(narrow.values_list("pk", flat=True)[offset : offset + PAGE_SIZE])
        totals = {}
    else:
        found = run(narrow.values_list("pk", "queue_total")[offset : offset + PAGE_SIZE])
        ids, totals = [pk for pk, _total in found], dict(found)
    return _rows_of(user, ids, totals)


def _rows_of(user, ids: list, totals: dict | None = None) -> list[Ticket]:
    """The tickets of `ids` with their relations, in that order (with `totals`' queue_total
    by id)."""
    with prepared():  # one plan fits every list of ids
        rows = list(ticket_queryset_for(user).filter(pk__in=ids).defer(*UNSHOWN))
    by_id = {ticket.pk: ticket for ticket in rows}
    for pk, total in (totals or {}).items():
        if pk in by_id:
            by_id[pk].queue_total = total
    return [by_id[pk] for pk in ids if pk in by_id]


# Read for the sidebar of every desk page: compiled once per connection (`panel1.db_reads`).
_SAVED_VIEWS = CompiledRead(
    lambda owner_id: (
        SavedView.objects.filter(Q(owner_id=owner_id) | Q(is_shared=True))
        .select_related("owner")
        .order_by("position", Lower("name"), "pk")
    ),
    owner_id=uuid.UUID,
)


def saved_views_for(user) -> list[SavedView]:
    """The user's own views and every shared view."""
    return _SAVED_VIEWS.all(owner_id=user.pk)


def as_queue_view(saved: SavedView) -> QueueView:
    return QueueView(
        key=str(saved.pk),
        name=saved.name,
        filters=normalize_filters(saved.filters or {}),
        ordering=saved.ordering or "-updated_at",
        saved=saved,
    )


def view_counts(user, views: list[QueueView], *, now: datetime) -> dict[str, int]:
    """Ticket counts of many views in one aggregate over the visible tickets.

    The scan is limited to tickets that can match at least one view (open ones, recently
    updated ones, ...), which the status and updated_at indexes find.
    """
    if not views:
        return {}
    conditions = {f"v{i}": filters_q(v.filters, user=user, now=now) for i, v in enumerate(views)}
    scope = NEVER
    for condition in conditions.values():
        scope |= condition
    totals = (
        Ticket.objects.visible_to(user)
        .filter(scope)
        .aggregate(**{k: Count("pk", filter=c) for k, c in conditions.items()})
    )
    return {view.key: totals[f"v{i}"] for i, view in enumerate(views)}


def queue_version(user, now: datetime) -> tuple:
    """What queues and counts depend on: the newest change to a ticket the user can see, the
    newest saved-view change, and the minute (SLA states and time windows move with the
    clock). Two index-backed MAX() queries."""
    newest = Ticket.objects.visible_to(user).aggregate(m=Max("updated_at"))["m"]
    views = SavedView.objects.aggregate(m=Max("updated_at"), n=Count("pk"))
    minute = now.replace(second=0, microsecond=0)
    return (user.pk, newest, views["m"], views["n"], minute)


COUNTS_TTL = 120


def view_counts_cached(user, views: list[QueueView], *, now: datetime, version: tuple) -> dict:
    """`view_counts`, reused while nothing the counts depend on changed (tenant-aware cache)."""
    signature = [(v.key, sorted(v.filters.items())) for v in views]
    key = (
        "desk:counts:"
        + hashlib.blake2b(repr((version, signature)).encode(), digest_size=16).hexdigest()
    )
    counts = cache.get(key)
    if counts is None:
        counts = view_counts(user, views, now=now)
        cache.set(key, counts, COUNTS_TTL)
    return counts


def resolve_view(user, key: str) -> QueueView | None:
    if key in DEFAULT_VIEWS_BY_KEY:
        return DEFAULT_VIEWS_BY_KEY[key]
    try:
        view_id = uuid.UUID(key)
    except ValueError:
        return None
    saved = (
        SavedView.objects.filter(Q(owner=user) | Q(is_shared=True), pk=view_id)
        .select_related("owner")
        .first()
    )
    return as_queue_view(saved) if saved else None
