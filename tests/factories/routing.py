"""Agent profiles and routing settings for routing tests."""

import factory

from tests.factories import AgentFactory


class AgentProfileFactory(factory.django.DjangoModelFactory):
    """An online agent in the routing pool (`user__name="Alice"` names them)."""

    class Meta:
        model = "tickets.AgentProfile"
        skip_postgeneration_save = True

    user = factory.SubFactory(AgentFactory)
    status = "online"
    capacity = 0
    skills = factory.LazyFunction(list)
    languages = factory.LazyFunction(list)
    out_of_office = factory.LazyFunction(list)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


def routing_configure(**values):
    """Set the tenant's routing settings through the service (as the system)."""
    from automation.routing.services import routing_settings_update

    return routing_settings_update(actor=None, **values)


def routing_after_commit():
    """An active `ticket.created` rule (it tags the ticket): new tickets are then left to the
    after-commit path (`ticket_route`, after the rules) instead of being routed in their
    creation's transaction, for tests that drive `ticket_route` themselves."""
    from tests.factories.automation import RuleFactory

    return RuleFactory(
        name="Routed after commit",
        actions=[{"type": "add_tags", "parameters": {"tags": ["after-commit"]}}],
    )
