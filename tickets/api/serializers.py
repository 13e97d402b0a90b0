"""Shapes only: validation of business rules happens in tickets.services."""

import datetime as dt
import zoneinfo

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from panel1.accounts.models import User
from panel1.api import fields
from panel1.api.serializers import ModelSerializer, UserSummarySerializer
from tickets.models import (
    Attachment,
    Category,
    Message,
    MessageType,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.services.messages import MAX_CONTENT_LENGTH

SLA_FIELDS = [
    "profile",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "first_responded_at",
    "resolved_at",
    "first_response_breached",
    "next_response_breached",
    "resolution_breached",
    "paused",
]


class SlaBlockSerializer(serializers.Serializer):
    profile = serializers.UUIDField(allow_null=True)
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    next_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    first_responded_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    first_response_breached = serializers.BooleanField()
    next_response_breached = serializers.BooleanField()
    resolution_breached = serializers.BooleanField()
    paused = serializers.BooleanField()


def sla_block(ticket: Ticket) -> dict:
    """The ticket's SLA state as API.md shapes it (the sla app keeps `ticket.sla_state`)."""
    return SlaBlockSerializer(_sla_values(ticket)).data


def _sla_values(ticket: Ticket) -> dict:
    state = getattr(ticket, "sla_state", None) if hasattr(Ticket, "sla_state") else None
    if state is None:
        block = {name: None for name in SLA_FIELDS}
        block.update(
            first_response_breached=False,
            next_response_breached=False,
            resolution_breached=False,
            paused=False,
            first_responded_at=ticket.first_responded_at,
            resolved_at=ticket.resolved_at,
        )
        return block
    return state.as_api_block(ticket)


# --- the ticket's representation, by hand ---------------------------------------------------
# Every ticket answer and list row goes through it: DRF's generic field machinery cost about
# 1 ms per ticket (a list of 50: 13.5 ms of Python), these few lines a tenth of that. The
# output is DRF's to the byte (tests/tickets/test_ticket_representation.py compares them);
# `TicketSerializer` still declares the fields for the schema.

_DATETIME = serializers.DateTimeField()
# REST_FRAMEWORK["DATETIME_FORMAT"] ("%Y-%m-%dT%H:%M:%S.%fZ") after DRF's conversion to the
# active time zone: isoformat with microseconds is the same text without a strftime per value.
_ISO_MICROSECONDS = "%Y-%m-%dT%H:%M:%S.%fZ"
_UTC_ZONE = zoneinfo.ZoneInfo("UTC")  # ZoneInfo caches one instance per key


def _text(value):
    return None if value is None else str(value)


def _when(value, zone=None):
    """A timestamp as DRF writes it; `zone` (the active time zone) saves looking it up."""
    if value is None:
        return None
    if value.tzinfo is None or api_settings.DATETIME_FORMAT != _ISO_MICROSECONDS:
        return _DATETIME.to_representation(value)
    zone = zone or timezone.get_current_timezone()
    # Values read from the database are in UTC (the connection's zone): for a UTC request,
    # the conversion would change nothing but cost a third of this function.
    utc = value.tzinfo is dt.UTC and (zone is dt.UTC or zone is _UTC_ZONE)
    local = value if utc or value.tzinfo is zone else value.astimezone(zone)
    if local.year < 1000:  # strftime's %Y does not pad
        return _DATETIME.to_representation(value)
    return local.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _flag(value):
    return None if value is None else bool(value)


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"id": _text(user.pk), "email": _text(user.email), "name": _text(user.name)}


def _people(ticket: Ticket) -> list[dict]:
    """The CCs: from the `cc_people` column the API reads with the ticket (already ordered by
    email, as `cc_users` orders them), else from the relation."""
    people = getattr(ticket, "cc_people", None)
    if people is None:
        return [_user(user) for user in ticket.cc.all()]
    return [
        {"id": _text(p["id"]), "email": _text(p["email"]), "name": _text(p["name"])} for p in people
    ]


def _satisfaction(ticket: Ticket):
    """The ticket's rating or None; a rating read with the ticket (even as absent) is taken
    from the relation's cache instead of raising and catching DoesNotExist per ticket."""
    relation = Ticket.satisfaction.related
    if relation.is_cached(ticket):
        return relation.get_cached_value(ticket)
    try:
        return ticket.satisfaction
    except ObjectDoesNotExist:
        return None


def _sla(ticket: Ticket, zone=None) -> dict:
    values = _sla_values(ticket)
    block = {"profile": _text(values["profile"])}
    for name in SLA_FIELDS[1:6]:
        block[name] = _when(values[name], zone)
    for name in SLA_FIELDS[6:]:
        block[name] = _flag(values[name])
    return block


def _row_user(row: dict, relation: str) -> dict | None:
    if row[f"{relation}__id"] is None:
        return None
    return {
        "id": _text(row[f"{relation}__id"]),
        "email": _text(row[f"{relation}__email"]),
        "name": _text(row[f"{relation}__name"]),
    }


def _row_sla(row: dict, zone) -> dict:
    """`_sla` of a row: the SLA state's columns when it has one (`sla_state__ticket` is its
    key), else the block of a ticket without SLA state."""
    if row.get("sla_state__ticket") is None:
        first_responded_at, resolved_at = row["first_responded_at"], row["resolved_at"]
        profile, due = None, (None, None, None)
        flags = (False, False, False, False)
    else:
        first_responded_at = row["sla_state__first_responded_at"]
        resolved_at = row["sla_state__resolved_at"]
        profile = row["sla_state__profile"]
        due = tuple(row[f"sla_state__{name}"] for name in SLA_FIELDS[1:4])
        flags = tuple(row[f"sla_state__{name}"] for name in SLA_FIELDS[6:])
    block = {"profile": _text(profile)}
    for name, value in zip(SLA_FIELDS[1:4], due, strict=True):
        block[name] = _when(value, zone)
    block["first_responded_at"] = _when(first_responded_at, zone)
    block["resolved_at"] = _when(resolved_at, zone)
    for name, value in zip(SLA_FIELDS[6:], flags, strict=True):
        block[name] = _flag(value)
    return block


def _row_satisfaction(row: dict):
    if row["satisfaction__id"] is None:
        return None
    score = row["satisfaction__score"]
    return score if score is not None else float(row["satisfaction__rating"])


class CategorySerializer(ModelSerializer):
    color = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a colour as #rrggbb.")},
    )

    class Meta:
        model = Category
        fields = ["id", "name", "description", "color", "icon", "is_active"]
        read_only_fields = ["id"]


class TicketSerializer(serializers.ModelSerializer):
    requester = UserSummarySerializer(read_only=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    sla = serializers.SerializerMethodField()
    cc = UserSummarySerializer(many=True, read_only=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    satisfaction_score = serializers.SerializerMethodField()
    routing_reason = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "subject",
            "status",
            "priority",
            "category",
            "tags",
            "requester",
            "assignee",
            "channel",
            "sla",
            "escalation_level",
            "version",
            "cc",
            "merged_into",
            "satisfaction_score",
            "language",
            "routing_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, ticket):
        """The fields above, built by hand (see `_sla`); the same output as DRF's. `ticket`
        is a Ticket or a row of `tickets.api.reads.ticket_rows` (the plain list's)."""
        zone = timezone.get_current_timezone()
        if isinstance(ticket, dict):
            return self._row_representation(ticket, zone)
        return {
            "id": _text(ticket.pk),
            "number": _text(ticket.number),
            "subject": _text(ticket.subject),
            "status": _text(ticket.status),
            "priority": _text(ticket.priority),
            "category": ticket.category_id,
            "tags": None if ticket.tags is None else [str(tag) for tag in ticket.tags],
            "requester": _user(ticket.requester),
            "assignee": _user(ticket.assignee),
            "channel": _text(ticket.channel),
            "sla": _sla(ticket, zone),
            "escalation_level": (
                None if ticket.escalation_level is None else int(ticket.escalation_level)
            ),
            "version": None if ticket.version is None else int(ticket.version),
            "cc": _people(ticket),
            "merged_into": ticket.merged_into_id,
            "satisfaction_score": self.get_satisfaction_score(ticket),
            "language": _text(ticket.language),
            "routing_reason": self.get_routing_reason(ticket),
            "created_at": _when(ticket.created_at, zone),
            "updated_at": _when(ticket.updated_at, zone),
        }

    def _row_representation(self, row: dict, zone) -> dict:
        """`to_representation` of a ticket read as a row: the same keys, values and order."""
        tags = row["tags"]
        escalation, version = row["escalation_level"], row["version"]
        return {
            "id": _text(row["id"]),
            "number": _text(row["number"]),
            "subject": _text(row["subject"]),
            "status": _text(row["status"]),
            "priority": _text(row["priority"]),
            "category": row["category_id"],
            "tags": None if tags is None else [str(tag) for tag in tags],
            "requester": _row_user(row, "requester"),
            "assignee": _row_user(row, "assignee"),
            "channel": _text(row["channel"]),
            "sla": _row_sla(row, zone),
            "escalation_level": None if escalation is None else int(escalation),
            "version": None if version is None else int(version),
            "cc": [
                {"id": _text(p["id"]), "email": _text(p["email"]), "name": _text(p["name"])}
                for p in row["cc_people"]
            ],
            "merged_into": row["merged_into_id"],
            "satisfaction_score": _row_satisfaction(row),
            "language": _text(row["language"]),
            "routing_reason": row["routing_reason"] if self._shows_routing() else None,
            "created_at": _when(row["created_at"], zone),
            "updated_at": _when(row["updated_at"], zone),
        }

    def _shows_routing(self) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user is not None and user.is_helpdesk_staff

    def get_sla(self, ticket) -> SlaBlockSerializer:
        return sla_block(ticket)

    def get_satisfaction_score(self, ticket) -> float | None:
        """The mean of the answered survey questions (null until rated)."""
        rating = _satisfaction(ticket)
        if rating is None:
            return None
        return rating.score if rating.score is not None else float(rating.rating)

    def get_routing_reason(self, ticket) -> str | None:
        # Why routing chose an agent is staff business, like the automation logs.
        return ticket.routing_reason if self._shows_routing() else None


class MessageContentField(fields.TextField):
    """Message text as written (whitespace is Markdown), at most the service's limit, not blank."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_CONTENT_LENGTH)
        super().__init__(allow_blank=False, trim_whitespace=False, **kwargs)

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        if isinstance(value, str) and not value.strip():
            raise serializers.ValidationError(_("This field may not be blank."))
        return value


class TicketConflictSerializer(serializers.Serializer):
    """412 (stale If-Match) and 409 (`only_if_unassigned`): the ticket as it is now."""

    detail = serializers.CharField()
    current = TicketSerializer()


class TicketCreateSerializer(serializers.Serializer):
    subject = fields.OneLineField(max_length=255, allow_blank=False)
    content = MessageContentField()
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.MEDIUM)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=fields.OneLineField(max_length=50), required=False, max_length=30
    )
    requester_email = fields.EmailField(required=False)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=20, write_only=True
    )


class TicketUpdateSerializer(serializers.Serializer):
    subject = fields.OneLineField(max_length=255, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=fields.OneLineField(max_length=50), required=False, max_length=30
    )
    language = serializers.CharField(max_length=10, required=False, allow_null=True)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    reason = fields.TextField(required=False, allow_blank=True, max_length=2000, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True
    )
    only_if_unassigned = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy(
            "Refuse (409) if someone else holds the ticket; the holder themself: 200."
        ),
    )


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "size", "content_type", "scan_status", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        path = reverse("tickets-api:attachment-download", kwargs={"pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MessageSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    # Staff only: absent from a customer's answer, so not a required property in the schema
    # (a read-only field would be declared required). This serializer only writes answers.
    time_spent = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "author",
            "message_type",
            "content",
            "attachments",
            "time_spent",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, message):
        """The fields above, built by hand like the ticket's (DRF's generic ModelSerializer
        introspects the model for every answer); the same output as DRF's."""
        data = {
            "id": _text(message.pk),
            "ticket": message.ticket_id,
            "author": _user(message.author),
            "message_type": _text(message.message_type),
            "content": _text(message.content),
            "attachments": self._attachments(message),
            "time_spent": None if message.time_spent is None else int(message.time_spent),
            "created_at": _when(message.created_at),
        }
        request = self.context.get("request")
        if request is not None and not request.user.is_helpdesk_staff:
            data.pop("time_spent", None)  # a staff-only field
        return data

    def _attachments(self, message) -> list:
        attachments = message.attachments.all()
        if not attachments:
            return []
        return AttachmentSerializer(many=True, context=self.context).to_representation(attachments)


class MessageCreateSerializer(serializers.Serializer):
    content = MessageContentField()
    message_type = serializers.ChoiceField(
        choices=[
            MessageType.CUSTOMER_REPLY,
            MessageType.STAFF_REPLY,
            MessageType.INTERNAL_NOTE,
        ],
        required=False,
    )
    time_spent = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=60 * 24 * 7
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=20, write_only=True
    )


class TicketEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "actor",
            "actor_label",
            "event",
            "field",
            "before",
            "after",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class SupportStatsSerializer(serializers.Serializer):
    total_tickets = serializers.IntegerField()
    open_tickets = serializers.IntegerField()
    in_progress_tickets = serializers.IntegerField()
    average_first_response_time = serializers.FloatField(allow_null=True)
    average_resolution_time = serializers.FloatField(allow_null=True)
    satisfaction_score = serializers.FloatField(allow_null=True)
    tickets_by_priority = serializers.DictField(child=serializers.IntegerField())
    tickets_by_category = serializers.DictField(child=serializers.IntegerField())


class DateRangeSerializer(serializers.Serializer):
    start = fields.DateField(required=False)
    end = fields.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("end must not be before start.")]})
        return attrs


class SatisfactionAnswerSerializer(serializers.Serializer):
    response_time = serializers.IntegerField(min_value=1, max_value=5, required=False)
    solution = serializers.IntegerField(min_value=1, max_value=5, required=False)
    team = serializers.IntegerField(min_value=1, max_value=5, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate(self, attrs):
        if all(attrs.get(key) is None for key in ("response_time", "solution", "team")):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Answer at least one of response_time, solution, team.")]}
            )
        return attrs


class SatisfactionSerializer(serializers.Serializer):
    ticket = serializers.UUIDField(source="ticket_id")
    response_time = serializers.IntegerField(allow_null=True)
    solution = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MergeSerializer(serializers.Serializer):
    target = serializers.CharField(
        max_length=64, help_text=gettext_lazy("UUID or number of the survivor")
    )
    make_public = serializers.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Across requesters, show the merged replies to the survivor's requester "
            "(default: they become internal notes)."
        ),
    )
