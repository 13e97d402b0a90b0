"""factory-boy factories; build inside a tenant schema (the `tenant` fixture sets it)."""

import factory

from panel1.accounts.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    role = Role.CUSTOMER
    password = factory.django.Password("pass-1234-word")


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER
    email = factory.Sequence(lambda n: f"customer{n}@customer.test")


class AgentFactory(UserFactory):
    role = Role.AGENT
    email = factory.Sequence(lambda n: f"agent{n}@helpdesk.test")


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR
    email = factory.Sequence(lambda n: f"supervisor{n}@helpdesk.test")


class AdminFactory(UserFactory):
    role = Role.ADMIN
    email = factory.Sequence(lambda n: f"admin{n}@helpdesk.test")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Category"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")
    color = "#336699"


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket created through the service (number, first message, audit, events)."""

    class Meta:
        model = "tickets.Ticket"

    requester = factory.SubFactory(CustomerFactory)
    subject = factory.Sequence(lambda n: f"Printer on floor {n} is jammed")
    content = "It shows error E-42 and will not print."
    priority = "MEDIUM"
    category = None
    tags = factory.LazyFunction(list)
    channel = "PORTAL"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from tickets.services import ticket_create

        actor = kwargs.pop("actor", None) or kwargs["requester"]
        return ticket_create(actor=actor, **kwargs)
