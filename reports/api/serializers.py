"""Shapes of the report API (rules live in reports.params)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from reports.params import INTERVALS
from tickets.api.serializers import SupportStatsSerializer as TicketSupportStatsSerializer
from tickets.models import Priority

FORMATS = ("json", "csv", "xlsx")


class CategoryRefField(serializers.CharField):
    """A category id, or `none` for tickets without one."""

    def to_internal_value(self, data):
        import uuid

        text = super().to_internal_value(data).strip()
        if text.lower() == "none":
            return None
        try:
            return uuid.UUID(text)
        except ValueError as exc:
            raise serializers.ValidationError(_("Give a category UUID or none.")) from exc


class ReportQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text=gettext_lazy("First day (tenant's time zone)")
    )
    end = serializers.DateField(required=False, help_text=gettext_lazy("Last day, inclusive"))
    category = serializers.ListField(child=CategoryRefField(), required=False)
    agent = serializers.ListField(child=serializers.UUIDField(), required=False)
    priority = serializers.ListField(
        child=serializers.ChoiceField(choices=Priority.values), required=False
    )
    channel = serializers.ListField(child=serializers.CharField(max_length=16), required=False)
    tag = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    interval = serializers.ChoiceField(choices=INTERVALS, required=False, default="day")
    format = serializers.ChoiceField(choices=FORMATS, required=False, default="json")


class ReportSerializer(serializers.Serializer):
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    previous = serializers.DictField(
        help_text=gettext_lazy("start, end and the totals of the period before")
    )
    rows = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField()


class SupportStatsSerializer(TicketSupportStatsSerializer):
    """`GET /stats/support/`: the wall-clock contract plus optional business-minute fields."""

    average_first_response_business_time = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text=gettext_lazy(
            "Mean first response in business minutes: the ticket's SLA calendar, its SLA "
            "pauses taken out (as of the analytics job's last pass)"
        ),
    )
    average_resolution_business_time = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text=gettext_lazy(
            "Mean resolution time in business minutes (resolved and closed tickets)"
        ),
    )
    business_time_tickets = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy("Tickets the business-minute averages were taken over"),
    )
    business_times_as_of = serializers.DateTimeField(
        allow_null=True,
        required=False,
        help_text=gettext_lazy("When the analytics job last measured (null: not yet run)"),
    )


class DigestSubscriptionSerializer(serializers.Serializer):
    subscribed = serializers.BooleanField(
        help_text=gettext_lazy("Whether you get the weekly digest mail")
    )
    eligible = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("Supervisors and admins may subscribe")
    )
    timezone = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The tenant's time zone")
    )
    next_digest_at = serializers.DateTimeField(
        read_only=True,
        help_text=gettext_lazy("When the next digest goes out (Mondays 07:00 tenant time)"),
    )
