"""seed_demo's routing step: load balanced + previous agent, agents that differ."""

from automation.routing.demo import demo_routing_create
from automation.routing.models import RoutingSettings
from panel1.accounts.models import Role
from panel1.tenants.demo import DEMO_PEOPLE
from tests.factories import UserFactory
from tickets.demo import demo_tickets_create
from tickets.models import AgentProfile, Ticket


def test_demo_routes_load_balanced_with_previous_agent(tenant, run_on_commit, settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    people = {p.email: UserFactory(email=p.email, name=p.name, role=p.role) for p in DEMO_PEOPLE}
    people["admin@demo.test"] = UserFactory(email="admin@demo.test", role=Role.ADMIN)
    with run_on_commit():
        assert demo_tickets_create(tenant=tenant, people=people)
        assert demo_routing_create(tenant=tenant, people=people)
    assert demo_routing_create(tenant=tenant, people=people) is False

    routing = RoutingSettings.objects.get()
    assert (routing.strategy, routing.previous_agent) == ("load_balanced", True)
    profiles = {p.user.email: p for p in AgentProfile.objects.select_related("user")}
    alice, bob = profiles["alice@demo.test"], profiles["bob@demo.test"]
    assert alice.capacity != bob.capacity and alice.skills != bob.skills
    assert alice.languages == ["en", "de"] and bob.languages == ["en"]
    # Alice and Bob came online: the waiting demo tickets were routed, within capacity.
    for profile in (alice, bob):
        assert Ticket.objects.open().filter(assignee=profile.user).count() <= profile.capacity
    routed = Ticket.objects.exclude(routing_reason=None)
    assert routed.exists()
