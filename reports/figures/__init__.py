"""The report registry: name -> computation and CSV columns (the rows' JSON field names)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reports.figures import people, tickets


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    compute: Callable
    columns: tuple[str, ...]


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report("overview", "Overview", tickets.overview, tickets.OVERVIEW_COLUMNS),
        Report(
            "response-times", "Response times", tickets.response_times, tickets.RESPONSE_COLUMNS
        ),
        Report("sla", "SLA", tickets.sla, tickets.SLA_COLUMNS),
        Report("agents", "Agents", people.agents, people.AGENT_COLUMNS),
        Report("categories", "Categories", tickets.categories, tickets.CATEGORY_COLUMNS),
        Report("tags", "Tags", tickets.tags, tickets.TAG_COLUMNS),
        Report("satisfaction", "Satisfaction", people.satisfaction, people.SATISFACTION_COLUMNS),
        # Searches are nobody's tickets: agents see the knowledge-base figures whole.
        Report("knowledge-base", "Knowledge base", people.knowledge_base, people.KB_COLUMNS),
    )
}
