"""Factories for the desk's models."""

import factory

from tests.factories import AgentFactory


class SavedViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desk.SavedView"

    name = factory.Sequence(lambda n: f"View {n}")
    owner = factory.SubFactory(AgentFactory)
    is_shared = False
    filters = factory.LazyFunction(lambda: {"status": ["OPEN"]})


class CannedResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desk.CannedResponse"

    title = factory.Sequence(lambda n: f"Canned reply {n}")
    shortcut = factory.Sequence(lambda n: f"reply{n}")
    content = "Hi {{requester.first_name}}, about {{ticket.number}}: we are on it. {{agent.name}}"
    owner = None
