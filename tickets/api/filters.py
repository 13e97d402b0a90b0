import uuid
from typing import ClassVar

import django_filters
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from tickets.models import Channel, Priority, Status, Ticket
from tickets.selectors import ticket_order, ticket_search

ORDERINGS = ["created_at", "-created_at", "updated_at", "-updated_at", "priority", "-priority"]


class TicketFilter(django_filters.FilterSet):
    # Plain columns: no join, so no DISTINCT (which would sort every selected column).
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    category = django_filters.CharFilter(method="filter_category")
    assignee = django_filters.CharFilter(method="filter_assignee")
    requester = django_filters.CharFilter(method="filter_requester")
    tag = django_filters.CharFilter(method="filter_tag")
    language = django_filters.CharFilter(method="filter_language")
    search = django_filters.CharFilter(method="filter_search")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    ordering = django_filters.ChoiceFilter(
        choices=[(o, o) for o in ORDERINGS], method="filter_ordering"
    )

    class Meta:
        model = Ticket
        fields = []

    _form_classes: ClassVar[dict[tuple[type, str | None], type]] = {}

    def get_form_class(self):
        # The filters' form fields depend on nothing of the request but the language of their
        # labels (the browsable API shows the form): one form class per language and process
        # instead of 13 new fields for every list. Each form still deep-copies its fields.
        key = (type(self), translation.get_language())
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = self._form_classes[key] = super().get_form_class()
        return form_class

    def _values(self, name: str) -> list[str]:
        return [v for v in self.request.query_params.getlist(name) if v != ""]

    def filter_category(self, qs, name, value):
        return qs.filter(category_id__in=_uuids(self._values("category"), "category"))

    def filter_assignee(self, qs, name, value):
        values = self._values("assignee")
        wants_none = any(v.lower() == "none" for v in values)
        ids = _uuids([v for v in values if v.lower() != "none"], "assignee")
        condition = Q(assignee_id__in=ids) if ids else Q()
        if wants_none:
            condition = condition | Q(assignee__isnull=True) if ids else Q(assignee__isnull=True)
        return qs.filter(condition)

    def filter_requester(self, qs, name, value):
        values = self._values("requester")
        emails = [v for v in values if "@" in v]
        ids = _uuids([v for v in values if "@" not in v], "requester")
        condition = Q(requester_id__in=ids) if ids else Q(pk__in=[])
        for email in emails:
            condition |= Q(requester__email__iexact=email)
        return qs.filter(condition)

    def filter_language(self, qs, name, value):
        values = [v.strip().lower() for v in self._values("language")]
        condition = Q(language__in=[v for v in values if v != "none"])
        if "none" in values:
            condition |= Q(language__isnull=True)
        return qs.filter(condition)

    def filter_tag(self, qs, name, value):
        tags = [t.strip().lower() for t in self._values("tag")]
        return qs.filter(tags__contains=tags)

    def filter_search(self, qs, name, value):
        return ticket_search(qs, value, user=self.request.user)

    def filter_ordering(self, qs, name, value):
        return ticket_order(qs, value)


def _uuids(values: list[str], field: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(v) for v in values]
    except ValueError as exc:
        raise ValidationError(
            {
                field: [
                    _("Give a valid UUID or none.")
                    if field == "assignee"
                    else _("Give a valid UUID.")
                ]
            }
        ) from exc
