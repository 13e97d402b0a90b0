"""Report rollups: one fact row per ticket and per-day aggregates, kept by the analytics job.

Nothing here is the source of truth: every row is derived from the tickets, their messages,
SLA states and ratings, and can be thrown away and rebuilt (`manage.py reports_rebuild`).
Days are local dates in the tenant's time zone (`RollupState.timezone`).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TicketFact(models.Model):
    """One ticket as the reports see it: its dimensions, dates and measured times.

    Times are whole minutes; `*_business_minutes` are measured on the ticket's SLA calendar
    with the SLA pauses taken out, the plain ones are wall-clock minutes.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="report_fact"
    )
    created_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=24)
    priority = models.CharField(max_length=8)
    channel = models.CharField(max_length=16)
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    is_merged = models.BooleanField(default=False)

    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    first_response_business_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    next_response_business_minutes = ArrayField(
        models.PositiveIntegerField(), default=list, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_business_minutes = models.PositiveIntegerField(null=True, blank=True)

    replies = models.PositiveIntegerField(default=0)
    reopens = models.PositiveIntegerField(default=0)
    time_spent = models.PositiveIntegerField(default=0)

    first_response_met = models.BooleanField(default=False)
    first_response_breached = models.BooleanField(default=False)
    resolution_met = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)

    rated_on = models.DateField(null=True, blank=True)
    rating_response_time = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_solution = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_team = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_score = models.FloatField(null=True, blank=True)

    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Every report selects a date range on one of these three dates.
            models.Index(fields=["created_on"], name="report_fact_created_idx"),
            models.Index(fields=["resolved_on"], name="report_fact_resolved_idx"),
            models.Index(
                fields=["rated_on"],
                name="report_fact_rated_idx",
                condition=Q(rated_on__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Report fact of {self.ticket_id}"


class DailyRollup(models.Model):
    """Ticket counts of one local day for one combination of dimensions (additive)."""

    day = models.DateField()
    priority = models.CharField(max_length=8)
    channel = models.CharField(max_length=16)
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    first_response_met = models.PositiveIntegerField(default=0)
    first_response_breached = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    resolution_breached = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="report_daily_day_idx")]

    def __str__(self):
        return f"{self.day} {self.priority}/{self.channel}"


class AgentDay(models.Model):
    """What one staff user did on one local day: public replies and tracked minutes."""

    day = models.DateField()
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    replies = models.PositiveIntegerField(default=0)
    time_spent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "agent"], name="report_agent_day_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.agent_id}"


class RollupState(models.Model):
    """The analytics job's bookmark (one row per tenant schema)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    timezone = models.CharField(max_length=64, default="UTC")
    watermark = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_ms = models.PositiveIntegerField(default=0)
    last_run_tickets = models.PositiveIntegerField(default=0)
    # The backfill walks every ticket in id order, a bounded slice per pass.
    backfill_pending = models.BooleanField(default=True)
    backfill_cursor = models.UUIDField(null=True, blank=True)
    # The day summaries of days from before they existed are filled in date order, a bounded
    # number of days per pass; reports read them once this is set.
    summaries_ready = models.BooleanField(default=False)
    summaries_cursor = models.DateField(null=True, blank=True)
    # The week and four-week blocks of the day summaries from before them are filled in date
    # order, a bounded number of blocks per pass; reports read them once this is set (and only
    # the day rows until then).
    blocks_ready = models.BooleanField(default=False)
    blocks_cursor = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"Rollups up to {self.watermark}"


class DigestSubscription(models.Model):
    """A supervisor's or admin's choice to get the weekly digest mail (opt-in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="report_digest",
    )
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Weekly digest for {self.user_id}: {'on' if self.enabled else 'off'}"


class DigestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class DigestDelivery(models.Model):
    """One weekly digest to one recipient: the row is the once-only key (user, week)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(help_text=_("Monday of the tenant-local week it reports"))
    to_email = models.EmailField()
    status = models.CharField(
        max_length=8, choices=DigestStatus.choices, default=DigestStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="report_digest_once")
        ]

    def __str__(self):
        return f"Digest of {self.week_start} to {self.to_email}: {self.status}"


class SummaryFigures(models.Model):
    """The additive figures of a day summary (and of a block of them)."""

    basis = models.CharField(max_length=1)
    dim = models.CharField(max_length=8)
    key = models.CharField(max_length=64, blank=True)
    tickets = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0)
    score_n = models.PositiveIntegerField(default=0)
    response_time_sum = models.PositiveIntegerField(default=0)
    response_time_n = models.PositiveIntegerField(default=0)
    solution_sum = models.PositiveIntegerField(default=0)
    solution_n = models.PositiveIntegerField(default=0)
    team_sum = models.PositiveIntegerField(default=0)
    team_n = models.PositiveIntegerField(default=0)
    # Answers per question and score: response_time 1..5, solution 1..5, team 1..5.
    distribution = ArrayField(models.PositiveIntegerField(), default=list, blank=True)

    class Meta:
        abstract = True


class DaySummary(SummaryFigures):
    """Per local day, basis date and one dimension value: additive ticket figures.

    `basis` is the date a ticket counts on: c(reated), r(esolved) or q (rated). `dim` is
    `all` (key ""), `priority`, `category`, `agent` (ids as text, "" for none) or `tag`.
    Reports without filters read these (a few hundred rows for 90 days) instead of the facts.
    """

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["basis", "dim", "day"], name="report_summary_idx")]

    def __str__(self):
        return f"{self.day} {self.basis} {self.dim}={self.key}"


class HistogramFigures(models.Model):
    basis = models.CharField(max_length=1)
    dim = models.CharField(max_length=8)
    key = models.CharField(max_length=64, blank=True)
    metric = models.CharField(max_length=8)
    buckets = ArrayField(models.SmallIntegerField(), default=list)
    counts = ArrayField(models.PositiveIntegerField(), default=list)

    class Meta:
        abstract = True


class DayHistogram(HistogramFigures):
    """Per local day, basis, dimension value and measured time: a histogram of minutes.

    Sparse: `buckets[i]` holds `counts[i]` tickets (reports.histograms maps minutes to buckets:
    exact below an hour, 5 % wide above), so medians and p90s over any range come from summed
    histograms, within a bucket's width of the exact value.
    """

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["basis", "dim", "day"], name="report_histogram_idx")]

    def __str__(self):
        return f"{self.day} {self.basis} {self.dim}={self.key} {self.metric}"


class SummaryBlock(SummaryFigures):
    """The DaySummary rows of `span` days from `day` summed (a coarser grain of the same figures).

    Blocks are aligned (reports.histograms.block_start): a 7-day block is a Monday-to-Sunday
    week, a 28-day block four such weeks counted from 2001-01-01. Kept by the analytics job
    with the days they hold; reports read the whole blocks inside a range and the day rows
    only for its edges.
    """

    day = models.DateField(help_text=_("First day of the block"))
    span = models.PositiveSmallIntegerField(help_text=_("Days in the block"))

    class Meta:
        indexes = [
            models.Index(fields=["basis", "dim", "span", "day"], name="report_summary_block_idx")
        ]

    def __str__(self):
        return f"{self.day}+{self.span} {self.basis} {self.dim}={self.key}"


class HistogramBlock(HistogramFigures):
    """The DayHistogram rows of `span` days from `day` summed bucket by bucket (as SummaryBlock)."""

    day = models.DateField(help_text=_("First day of the block"))
    span = models.PositiveSmallIntegerField(help_text=_("Days in the block"))

    class Meta:
        indexes = [
            models.Index(fields=["basis", "dim", "span", "day"], name="report_histogram_block_idx")
        ]

    def __str__(self):
        return f"{self.day}+{self.span} {self.basis} {self.dim}={self.key} {self.metric}"
