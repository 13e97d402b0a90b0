"""seed_demo's SLA step: office-hours profiles in Berlin, the demo tickets moved onto them."""

from panel1.accounts.models import Role
from panel1.tenants.demo import DEMO_PEOPLE
from sla.demo import demo_profiles_create
from sla.models import SlaProfile, TicketSLA
from tests.factories import UserFactory
from tickets.demo import demo_tickets_create
from tickets.models import Status


def test_demo_step_adds_business_hours_profiles_and_is_idempotent(tenant):
    people = {p.email: UserFactory(email=p.email, name=p.name, role=p.role) for p in DEMO_PEOPLE}
    people["admin@demo.test"] = UserFactory(email="admin@demo.test", role=Role.ADMIN)
    assert demo_tickets_create(tenant=tenant, people=people)
    assert demo_profiles_create(tenant=tenant, people=people)
    assert demo_profiles_create(tenant=tenant, people=people) is False

    office = SlaProfile.objects.get(is_default=True)
    assert office.name == "Business hours"
    assert office.business_hours["timezone"] == "Europe/Berlin" and office.holidays
    fast = SlaProfile.objects.get(name="Priority support")
    assert set(fast.priorities) == {"HIGH", "URGENT"} and len(fast.escalation_rules) == 2
    assert not SlaProfile.objects.filter(name="Standard").exists()

    states = TicketSLA.objects.select_related("ticket")
    for state in states.filter(is_closed=False):
        expected = fast if state.ticket.priority in ("HIGH", "URGENT") else office
        assert state.profile == expected, state.ticket.subject
        if state.ticket.status not in (Status.RESOLVED,):
            assert state.resolution_due_at is not None
    closed = states.get(ticket__status=Status.CLOSED)
    assert closed.profile is None and closed.profile_name == "Standard"
