"""The report registry: name -> computation and CSV columns (the rows' JSON field names).

Scaling notes. Counts come from the daily rollups (a 90-day range reads a few thousand rows
at any size); medians and p90s come from the per-ticket facts of the range (an index range
scan and one sort per measured column, GROUPING SETS for the breakdowns), so their cost
follows the tickets in the range: about 12k at 100k tickets over two years, 125k at a million.
Next steps toward 200 ms at a million tickets, in order of payoff:
1. per-day histograms of each measured column (log-spaced minute buckets) in DailyRollup, so
   percentiles come from a few thousand bucket rows (approximate within a bucket's width);
2. results cached per (tenant, report, parameters, RollupState.watermark): rows only change
   when the analytics job runs;
3. reports on a read replica (DESIGN.md, scaling out).
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
