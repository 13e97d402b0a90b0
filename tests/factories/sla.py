"""SLA factories: profiles through the service, tickets whose clock started at a given instant."""

import datetime as dt

import factory

from panel1.actors import Actor
from sla.models import TicketSLA
from sla.services import sla_profile_create, ticket_sla_start
from tests.factories import TicketFactory
from tickets.models import Ticket

NINE_TO_FIVE = {"start": "09:00", "end": "17:00", "enabled": True}
BERLIN_OFFICE = {
    "timezone": "Europe/Berlin",
    **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), NINE_TO_FIVE),
}


class SlaProfileFactory(factory.django.DjangoModelFactory):
    """A profile created through `sla_profile_create` (validated, default rules applied)."""

    class Meta:
        model = "sla.SlaProfile"

    name = factory.Sequence(lambda n: f"Profile {n}")
    first_response_time = 60
    resolution_time = 480

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return sla_profile_create(actor=Actor.system(), **kwargs)


class BusinessHoursProfileFactory(SlaProfileFactory):
    business_hours = factory.LazyFunction(lambda: dict(BERLIN_OFFICE))


def ticket_started_at(at: dt.datetime, **kwargs) -> Ticket:
    """A ticket (TicketFactory kwargs) whose SLA clock started at `at` instead of now."""
    ticket = TicketFactory(**kwargs)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at)
    TicketSLA.objects.filter(pk=ticket.pk).delete()
    ticket.refresh_from_db()
    ticket_sla_start(ticket=ticket, now=at)
    return ticket
