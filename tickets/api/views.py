"""Thin views: parse with serializers, act through services, answer with serializers."""

from django.db.models import F
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.accounts.services import customer_get_or_create
from panel1.api.idempotency import idempotent
from panel1.api.parsers import FormParser, JSONParser, MultiPartParser
from panel1.api.permissions import IsTenantAdminOrReadOnly
from panel1.exceptions import DomainError, NotFound
from panel1.ids import is_uuid
from tickets import services
from tickets.api import serializers as s
from tickets.api.filters import TicketFilter
from tickets.api.reads import (
    DEFAULT_ORDERING,
    api_ticket_list_compiled,
    api_ticket_queryset,
    api_ticket_read,
)
from tickets.downloads import attachment_refusal, attachment_response
from tickets.models import Attachment, Category, Channel, Ticket
from tickets.satisfaction import satisfaction_answer
from tickets.selectors import message_get_with_ticket_version, messages_for, ticket_get_for
from tickets.services.categories import category_create, category_delete, category_update

ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}
# PATCH, status and assign honour If-Match (412) and only_if_unassigned (409): API.md.
CONFLICTS = {409: s.TicketConflictSerializer, 412: s.TicketConflictSerializer}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The version the change was based on: "<version>" or W/"<version>" '
    "(a stale one answers 412 with `current`). Without it, the last write wins.",
)


def _ticket_answer(request, ticket, code=status.HTTP_200_OK, *, extra=None):
    # One statement: the ticket as it is now (after-commit automation included), with its
    # SLA block and CCs, only the columns the answer shows.
    fresh = api_ticket_read(request.user, ticket.pk)
    if fresh is None:
        raise NotFound({"detail": [_("No such ticket.")]})
    data = s.TicketSerializer(fresh, context={"request": request}).data
    if extra is not None:
        data = {**extra, "current": data}
    return Response(data, status=code, headers={"ETag": etag(fresh)})


def etag(ticket: Ticket) -> str:
    return f'"{ticket.version}"'


def if_match(request) -> frozenset[int] | None:
    """The versions an `If-Match` header accepts (`"7"`, `W/"7"`, a list); None = any."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    versions = set()
    for part in header.split(","):
        part = part.strip()
        if part == "*":
            return None
        part = part.removeprefix("W/").strip('"')
        if part.isdigit() and len(part) <= 10:
            versions.add(int(part))
    return frozenset(versions)  # nothing parseable matches nothing: 412


def _guarded(request, write):
    """Run a ticket write; a stale version (412) or a taken ticket (409) answers with the
    ticket as it is now under `current`."""
    try:
        return write()
    except (services.TicketVersionConflict, services.TicketAlreadyAssigned) as exc:
        detail = exc.errors["detail"][0]
        return _ticket_answer(request, exc.ticket, exc.status_code, extra={"detail": detail})


@extend_schema_view(
    list=extend_schema(
        summary="List tickets visible to the caller",
        responses={200: s.TicketSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a ticket by UUID or number",
        parameters=[
            OpenApiParameter("id", str, OpenApiParameter.PATH, description="UUID or ticket number")
        ],
        responses={200: s.TicketSerializer, **ERRORS},
    ),
)
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TicketSerializer
    filterset_class = TicketFilter
    lookup_value_regex = "[^/]+"
    lookup_url_kwarg = "id"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        qs = api_ticket_queryset(self.request.user)
        if "ordering" not in self.request.query_params:
            qs = qs.order_by(*DEFAULT_ORDERING)
        return qs

    def list(self, request, *args, **kwargs):
        tickets = api_ticket_list_compiled(request.user, request.query_params)
        if tickets is None:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return ticket_get_for(self.request.user, self.kwargs["id"])

    def retrieve(self, request, id=None):
        return _ticket_answer(request, self.get_object())

    @extend_schema(
        summary="Create a ticket",
        request=s.TicketCreateSerializer,
        responses={201: s.TicketSerializer, 413: OpenApiTypes.OBJECT, **ERRORS},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        data = s.TicketCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        requester = request.user
        if v.get("requester_email"):
            if not request.user.is_helpdesk_staff:
                raise PermissionDenied(_("Only staff may file a ticket on a customer's behalf."))
            requester, _unused = customer_get_or_create(email=v["requester_email"])
        ticket = services.ticket_create(
            actor=request.user,
            requester=requester,
            subject=v["subject"],
            content=v["content"],
            priority=v["priority"],
            category=v.get("category"),
            tags=v.get("tags", []),
            channel=Channel.API,
            attachments=services.attachments_prepare(v.get("attachments", [])),
        )
        return _ticket_answer(request, ticket, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change subject, priority, category or tags (staff)",
        request=s.TicketUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: s.TicketSerializer, **ERRORS, **CONFLICTS},
    )
    def partial_update(self, request, id=None):
        ticket = self.get_object()
        if not request.user.is_helpdesk_staff:
            raise PermissionDenied(_("Only staff can edit ticket properties."))
        data = s.TicketUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return _guarded(
            request,
            lambda: _ticket_answer(
                request,
                services.ticket_update(
                    ticket=ticket,
                    actor=request.user,
                    expected_versions=if_match(request),
                    **data.validated_data,
                ),
            ),
        )

    @extend_schema(
        summary="Change the status",
        request=s.StatusChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: s.TicketSerializer, **ERRORS, **CONFLICTS},
    )
    @action(detail=True, methods=["post"])
    def status(self, request, id=None):
        ticket = self.get_object()
        data = s.StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _guarded(
            request,
            lambda: _ticket_answer(
                request,
                services.ticket_status_change(
                    ticket=ticket,
                    actor=request.user,
                    expected_versions=if_match(request),
                    **data.validated_data,
                ),
            ),
        )

    @extend_schema(
        summary="Assign to a staff user, or unassign with null",
        request=s.AssignSerializer,
        parameters=[IF_MATCH],
        responses={200: s.TicketSerializer, **ERRORS, **CONFLICTS},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, id=None):
        ticket = self.get_object()
        if not request.user.is_helpdesk_staff:
            raise PermissionDenied(_("Only staff can assign tickets."))
        data = s.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _guarded(
            request,
            lambda: _ticket_answer(
                request,
                services.ticket_assign(
                    ticket=ticket,
                    actor=request.user,
                    assignee=data.validated_data["assignee"],
                    only_if_unassigned=data.validated_data["only_if_unassigned"],
                    expected_versions=if_match(request),
                ),
            ),
        )

    @extend_schema(
        summary="Merge this ticket into another (staff); answers the surviving ticket",
        description="Same requester: messages move and CCs follow. Different requesters: the "
        "replies become internal notes on the survivor unless `make_public`, and no CC or "
        "requester is carried over.",
        request=s.MergeSerializer,
        responses={200: s.TicketSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, id=None):
        if not request.user.is_helpdesk_staff:
            raise PermissionDenied(_("Only staff can merge tickets."))
        ticket = self.get_object()
        data = s.MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            target = ticket_get_for(request.user, data.validated_data["target"])
        except NotFound:
            raise DomainError({"target": [_("No such ticket.")]}) from None
        survivor = services.ticket_merge(
            source=ticket,
            target=target,
            actor=request.user,
            make_public=data.validated_data["make_public"],
        )
        return _ticket_answer(request, survivor)

    @extend_schema(
        methods=["GET"],
        summary="The conversation (customers never get internal notes)",
        responses={200: s.MessageSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply or add an internal note",
        request=s.MessageCreateSerializer,
        responses={201: s.MessageSerializer, 413: OpenApiTypes.OBJECT, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, id=None):
        if request.method == "POST":
            # The service reads the ticket with the caller's visibility under its lock.
            ticket = services.TicketRef(user=request.user, ref=id)
            return idempotent(request, lambda: self._add_message(request, ticket))
        ticket = self.get_object()
        page = self.paginate_queryset(messages_for(request.user, ticket))
        data = s.MessageSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def _add_message(self, request, ticket):
        data = s.MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        message = services.message_add(
            ticket=ticket,
            actor=request.user,
            content=v["content"],
            message_type=v.get("message_type"),
            time_spent=v.get("time_spent"),
            attachments=services.attachments_prepare(v.get("attachments", [])),
            channel=Channel.API,
        )
        # One statement: the message as the caller sees it, with the ticket's version now
        # (after-commit automation included) for the ETag; attachments only if any came.
        answer = None
        if not v.get("attachments"):
            answer = message_get_with_ticket_version(
                request.user, ticket_id=message.ticket_id, message_id=message.pk
            )
        if answer is None:
            answer = (
                messages_for(request.user, message.ticket)
                .annotate(ticket_version=F("ticket__version"))
                .get(pk=message.pk)
            )
        else:
            none = Attachment.objects.none()
            none._result_cache, none._prefetch_done = [], True
            answer._prefetched_objects_cache = {"attachments": none}
        return Response(
            s.MessageSerializer(answer, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": f'"{answer.ticket_version}"'},
        )

    @extend_schema(
        summary="Answer the satisfaction survey (the requester, once resolved)",
        request=s.SatisfactionAnswerSerializer,
        responses={
            201: s.SatisfactionSerializer,
            200: OpenApiResponse(s.SatisfactionSerializer, description="Replaced (7 days)"),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def satisfaction(self, request, id=None):
        if request.user.is_helpdesk_staff:
            raise PermissionDenied(_("Only the requester answers the survey."))
        ticket = self.get_object()
        if ticket.requester_id != request.user.pk:
            raise NotFound({"detail": _("No such ticket.")})
        data = s.SatisfactionAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating, created = satisfaction_answer(
            ticket=ticket, actor=request.user, **data.validated_data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.SatisfactionSerializer(rating).data, status=code)

    @extend_schema(
        summary="The audit trail (staff)",
        responses={200: s.TicketEventSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def history(self, request, id=None):
        if not request.user.is_helpdesk_staff:
            raise PermissionDenied(_("Only staff can read the audit trail."))
        ticket = self.get_object()
        page = self.paginate_queryset(
            ticket.history.select_related("actor").order_by("created_at", "id")
        )
        return self.get_paginated_response(s.TicketEventSerializer(page, many=True).data)


class AttachmentDownloadView(APIView):
    @extend_schema(
        summary="Download an attachment (same visibility as its ticket)",
        description="409 with `scan_status` while the file waits for its malware scan "
        "(`pending`) or after it was quarantined (`infected`).",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **ERRORS,
            409: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, pk):
        from tickets.models import Message

        visible = Message.objects.visible_to(request.user)
        attachment = (
            Attachment.objects.filter(pk=pk, message__in=visible.values("pk")).first()
            if is_uuid(pk)
            else None
        )
        if attachment is None:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        held = attachment_refusal(attachment, request.user)
        if held:
            # Waiting for its malware scan (or quarantined): the file exists but is held.
            return Response(
                {"detail": held, "scan_status": attachment.scan_status},
                status=status.HTTP_409_CONFLICT,
            )
        return attachment_response(attachment, user=request.user)


@extend_schema_view(
    list=extend_schema(summary="List categories"),
    retrieve=extend_schema(summary="Get a category"),
    create=extend_schema(summary="Create a category (admin)"),
    partial_update=extend_schema(summary="Change a category (admin)"),
    update=extend_schema(summary="Replace a category (admin)"),
    destroy=extend_schema(summary="Delete an unused category (admin)"),
)
class CategoryViewSet(viewsets.ModelViewSet):
    serializer_class = s.CategorySerializer
    permission_classes = [IsTenantAdminOrReadOnly]

    def get_queryset(self):
        qs = Category.objects.order_by("name")
        if getattr(self, "swagger_fake_view", False):
            return qs
        if not self.request.user.is_helpdesk_staff:
            qs = qs.filter(is_active=True)
        return qs

    def create(self, request, *args, **kwargs):
        return idempotent(
            request, lambda: super(CategoryViewSet, self).create(request, *args, **kwargs)
        )

    def perform_create(self, serializer):
        serializer.instance = category_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = category_update(
            category=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        category_delete(category=instance, actor=self.request.user)
