"""The report registry: name -> computation and CSV columns (the rows' JSON field names).

Scaling. Counts come from the daily rollups. Medians, p90s, breakdowns and satisfaction
figures come from the day summaries and minute histograms (reports.histograms) when the period
holds at least REPORTS_SUMMARY_MIN_TICKETS tickets and no filter narrows them: a 90-day range
sums a few hundred small rows of whole weeks and four-week blocks (and the days of its edges)
at any number of tickets (a median within one 5 % bucket of the exact value). Smaller or
filtered periods read the per-ticket facts (exact; a filter keeps the rows few). Answers are
cached until the analytics job's next run (reports.selectors).
Next steps if needed: reports on a read replica (DESIGN.md, scaling out).
"""

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
