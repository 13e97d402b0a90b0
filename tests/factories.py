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
