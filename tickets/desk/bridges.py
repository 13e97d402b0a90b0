"""Guarded links to apps that may not be installed yet (sla, knowledgebase).

`tickets` never imports `sla` or `knowledgebase` at module level: the desk asks these
functions, which look the other app up at call time and answer "nothing" when it is absent.
SLA state is read through the documented contract: a OneToOne `Ticket.sla_state` whose
`as_api_block(ticket)` answers the API.md `sla` block.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Least

from tickets.models import Ticket

logger = logging.getLogger(__name__)

AT_RISK_SHARE = 0.2  # fallback: at risk when less than this share of the target is left


@dataclass(frozen=True)
class SlaSummary:
    state: str  # "ok", "at_risk", "breached", "paused", "met"
    due_at: datetime | None
    label: str  # which target is next: "first response", "next response", "resolution"
    block: dict


def sla_available() -> bool:
    return hasattr(Ticket, "sla_state")


def _state_model():
    return Ticket.sla_state.related.related_model


def _fields(kind, predicate) -> list[str]:
    return [
        f.name
        for f in _state_model()._meta.concrete_fields
        if isinstance(f, kind) and predicate(f.name)
    ]


def _state_of(ticket: Ticket):
    if not sla_available():
        return None
    return getattr(ticket, "sla_state", None)  # RelatedObjectDoesNotExist is an AttributeError


def sla_block_for(ticket: Ticket) -> dict | None:
    """The API.md `sla` block with real datetimes, or None without an SLA state."""
    state = _state_of(ticket)
    if state is None:
        return None
    if hasattr(state, "as_api_block"):
        return dict(state.as_api_block(ticket))
    return {f.name: getattr(state, f.name) for f in state._meta.concrete_fields}


def _flag_at_risk(state, label: str) -> bool:
    """True if the SLA app flagged this pending target at risk (`resolution_at_risk`), or,
    when it keeps no per-target flag, any target."""
    own = getattr(state, f"{label.replace(' ', '_')}_at_risk", None)
    if own is not None:
        return bool(own)
    meta = getattr(state, "_meta", None)
    names = [f.name for f in meta.concrete_fields] if meta else list(vars(state))
    return any(getattr(state, name, None) for name in names if "at_risk" in name)


def sla_summary(ticket: Ticket, now: datetime) -> SlaSummary | None:
    """Where the ticket stands against its SLA: the next due time and a traffic light."""
    block = sla_block_for(ticket)
    if block is None:
        return None
    pending = []
    if not block.get("first_responded_at") and block.get("first_response_due_at"):
        pending.append(("first response", block["first_response_due_at"]))
    if block.get("next_response_due_at"):
        pending.append(("next response", block["next_response_due_at"]))
    if not block.get("resolved_at") and block.get("resolution_due_at"):
        pending.append(("resolution", block["resolution_due_at"]))
    label, due = min(pending, key=lambda p: p[1]) if pending else ("", None)
    breached = any(block.get(k) for k in block if k.endswith("_breached"))
    if block.get("paused"):
        state = "paused"
    elif breached or (due is not None and due <= now):
        state = "breached"
    elif due is None:
        state = "met"
    elif any(_flag_at_risk(_state_of(ticket), name) for name, _ in pending) or _little_left(
        ticket, due, now
    ):
        state = "at_risk"
    else:
        state = "ok"
    return SlaSummary(state=state, due_at=due, label=label, block=block)


def _little_left(ticket: Ticket, due: datetime, now: datetime) -> bool:
    total = (due - ticket.created_at).total_seconds()
    return total > 0 and (due - now).total_seconds() < AT_RISK_SHARE * total


def sla_explanation(ticket: Ticket) -> str:
    """The SLA app's account of how the due times were computed: its `explanation`, or its
    stored calculation and log, as indented text."""
    state = _state_of(ticket)
    if state is None:
        return ""
    explanation = getattr(state, "explanation", None) or getattr(state, "explain", None)
    try:
        if callable(explanation):
            explanation = explanation()
        if not explanation and isinstance(getattr(state, "calculation", None), dict):
            explanation = {"calculation": state.calculation}
            if getattr(state, "pauses", None):
                explanation["stops"] = state.pauses
            if getattr(state, "log", None):
                explanation["log"] = state.log[-20:]
    except Exception:
        logger.exception("SLA explanation failed for %s", ticket.pk)
        return ""
    return "\n".join(_tree(explanation)) if explanation else ""


def _tree(value, indent: str = "") -> list[str]:
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            label = str(key).replace("_", " ")
            if isinstance(item, dict | list) and item:
                lines += [f"{indent}{label}:", *_tree(item, indent + "  ")]
            else:
                lines.append(f"{indent}{label}: {_leaf(item)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict):
                inline = ", ".join(
                    f"{k}: {_leaf(v)}" for k, v in item.items() if v not in (None, "")
                )
                lines.append(f"{indent}- {inline}")
            else:
                lines.append(f"{indent}- {_leaf(item)}")
        return lines
    return [f"{indent}{_leaf(value)}"]


def _leaf(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return "none"
    return str(value)


def sla_q(wanted: list[str], now: datetime) -> Q | None:
    """A filter for tickets `breached` and/or `at_risk`; None when there is no SLA app."""
    if not sla_available():
        return None
    condition = Q(pk__isnull=True)  # nothing, until a flag adds to it
    if "breached" in wanted:
        flags = _fields(models.BooleanField, lambda n: n.endswith("breached"))
        if flags:
            for name in flags:
                condition |= Q(**{f"sla_state__{name}": True})
        else:
            for name in _due_fields():
                condition |= Q(**{f"sla_state__{name}__lt": now})
    if "at_risk" in wanted:
        booleans = set(_fields(models.BooleanField, lambda n: True))
        for name in _fields(models.BooleanField, lambda n: n.endswith("at_risk")):
            flagged = Q(**{f"sla_state__{name}": True})
            breached = name.replace("at_risk", "breached")
            if breached in booleans:  # once breached, it is listed as breached
                flagged &= Q(**{f"sla_state__{breached}": False})
            condition |= flagged
        for name in _fields(models.DateTimeField, lambda n: "at_risk" in n):
            condition |= Q(**{f"sla_state__{name}__isnull": False})
    return condition


def _due_fields() -> list[str]:
    return _fields(models.DateTimeField, lambda n: n.endswith("_due_at"))


# Due times that stay on the row after the target was met, and the field that says it was.
_MET_FIELDS = {"first_response_due_at": "first_responded_at", "resolution_due_at": "resolved_at"}


def sla_order_expression():
    """Order by the nearest due time still pending (NULLs last), or None without an SLA app."""
    if not sla_available():
        return None
    fields = set(_fields(models.Field, lambda n: True))
    pending = []
    for name in _due_fields():
        met = _MET_FIELDS.get(name)
        if met in fields:
            pending.append(
                Case(
                    When(**{f"sla_state__{met}__isnull": True}, then=F(f"sla_state__{name}")),
                    default=None,
                    output_field=models.DateTimeField(),
                )
            )
        else:
            pending.append(F(f"sla_state__{name}"))
    if not pending:
        return None
    return Least(*pending) if len(pending) > 1 else pending[0]


def sla_rates(*, start=None, end=None) -> dict | None:
    """The SLA metrics of API.md (`/stats/sla/`) if the sla app offers them."""
    func = _find("sla", ("stats", "selectors", "metrics"), ("sla_stats", "sla_metrics"))
    if func is None:
        return None
    try:
        return dict(func(start=start, end=end))
    except Exception:
        logger.exception("SLA metrics failed")
        return None


KB_SUGGEST_NAMES = (
    "article_suggest",
    "articles_suggest",
    "article_list_suggested",
    "kb_article_suggest",
    "article_suggestions",
    "suggest_articles",
)


@dataclass(frozen=True)
class KbSuggestion:
    title: str
    url: str
    excerpt: str = ""


KB_MODULES = ("selectors", "search")


def kb_available() -> bool:
    return _find("knowledgebase", KB_MODULES, KB_SUGGEST_NAMES) is not None


def kb_panel_needed() -> bool:
    """The desk's own KB panel, unless the knowledge base already renders its suggestions in
    the `ticket.sidebar` slot (the desk then adds its "Insert link" buttons to those)."""
    from panel1.plugins import ui_slots

    registered = any(c.key.startswith("kb") for c in ui_slots.components("ticket.sidebar"))
    return kb_available() and not registered


def kb_suggestions(*, user, text: str, limit: int = 5) -> list[KbSuggestion]:
    """Articles the knowledge base suggests for `text` (as `user` may see them)."""
    func = _find("knowledgebase", KB_MODULES, KB_SUGGEST_NAMES)
    if func is None or not text.strip():
        return []
    result = None
    for kwargs in ({"user": user, "text": text}, {"user": user, "q": text}):
        try:
            result = func(**kwargs)
            break
        except TypeError:
            continue
        except Exception:
            logger.exception("KB suggestions failed")
            return []
    return [s for s in (_suggestion(item) for item in list(result or [])[:limit]) if s]


def _suggestion(item) -> KbSuggestion | None:
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    title = get("title")
    url = get("url") or ""
    if not url and hasattr(item, "get_absolute_url"):
        url = item.get_absolute_url()
    if not url and get("slug"):
        url = f"/kb/{get('slug')}/"
    if not title or not url or not url.startswith(("/", "https://", "http://")):
        return None
    return KbSuggestion(title=str(title), url=str(url), excerpt=str(get("excerpt") or ""))


def _find(app: str, modules: tuple[str, ...], names: tuple[str, ...]):
    for module_name in modules:
        dotted = f"{app}.{module_name}"
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name is None or not dotted.startswith(exc.name):
                raise
            continue
        for name in names:
            func = getattr(module, name, None)
            if callable(func):
                return func
    return None


def overdue_fallback_q(now: datetime, *, first_response_minutes: int, resolution_minutes: int):
    """Without an SLA app: open tickets past the default wall-clock targets."""
    return Q(
        first_responded_at__isnull=True,
        created_at__lt=now - timedelta(minutes=first_response_minutes),
    ) | Q(created_at__lt=now - timedelta(minutes=resolution_minutes))
