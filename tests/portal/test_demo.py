from panel1.tenants.demo import DEMO_PEOPLE
from portal.demo import demo_satisfaction_create
from tests.factories import AdminFactory, UserFactory
from tickets import demo
from tickets.models import SatisfactionRating


def test_demo_step_rates_the_finished_demo_tickets_once(tenant):
    people = {p.email: UserFactory(email=p.email, name=p.name, role=p.role) for p in DEMO_PEOPLE}
    people["admin@demo.test"] = AdminFactory(email="admin@demo.test")
    demo.demo_tickets_create(tenant=tenant, people=people)

    assert demo_satisfaction_create(tenant=tenant, people=people) is True
    assert demo_satisfaction_create(tenant=tenant, people=people) is False
    ratings = dict(SatisfactionRating.objects.values_list("ticket__subject", "rating"))
    assert ratings == {
        "Cannot log in after password reset": 5,
        "VAT number missing on invoices": 4,
    }
