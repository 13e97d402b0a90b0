"""Satisfaction: rate on the ticket page, or by the one-click link from the resolution mail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import in_schema
from tests.factories import TicketFactory
from tests.factories.portal import VerifiedCustomerFactory
from tickets import services
from tickets.models import SatisfactionRating, Status
from tickets.satisfaction import survey_path
from tickets.stats import support_stats


@pytest.fixture
def resolved(customer, agent):
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="Fixed it.")
    return services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)


def rate(client, ticket, rating, comment=""):
    return client.post(f"/tickets/{ticket.number}/rate/", {"rating": rating, "comment": comment})


def test_customer_rates_a_resolved_ticket_on_its_page(tenant_client, customer, resolved):
    client = tenant_client(customer)
    assert "Rate our support" in client.get(f"/tickets/{resolved.number}/").content.decode()

    response = rate(client, resolved, 4, "Quick and kind.")

    rated = SatisfactionRating.objects.get(ticket=resolved)
    assert response.status_code == 302
    assert (rated.rating, rated.comment) == (4, "Quick and kind.")
    assert support_stats()["satisfaction_score"] == 4
    page = client.get(f"/tickets/{resolved.number}/").content.decode()
    assert "You rated this request 4 out of 5." in page


def test_open_tickets_cannot_be_rated(tenant_client, customer):
    ticket = TicketFactory(requester=customer)
    client = tenant_client(customer)
    assert "Rate our support" not in client.get(f"/tickets/{ticket.number}/").content.decode()
    response = rate(client, ticket, 5)
    assert "once they are resolved" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_one_rating_per_ticket_changed_in_place(tenant_client, customer, resolved):
    client = tenant_client(customer)
    rate(client, resolved, 2)
    rate(client, resolved, 5, "Better after a second look.")
    assert list(SatisfactionRating.objects.values_list("rating", flat=True)) == [5]


def test_ratings_cannot_change_after_seven_days(tenant_client, customer, resolved):
    client = tenant_client(customer)
    rate(client, resolved, 3)
    SatisfactionRating.objects.update(created_at=timezone.now() - timedelta(days=8))

    page = client.get(f"/tickets/{resolved.number}/").content.decode()
    response = rate(client, resolved, 1)

    assert "Send rating" not in page
    assert "only be changed for 7 days" in response.content.decode()
    assert SatisfactionRating.objects.get().rating == 3


def test_invalid_ratings_are_refused(tenant_client, customer, resolved):
    response = rate(tenant_client(customer), resolved, 9)
    assert response.status_code == 200
    assert not SatisfactionRating.objects.exists()


def test_colleagues_on_cc_cannot_rate(tenant_client, customer, resolved):
    colleague = VerifiedCustomerFactory(email="dan@acme-corp.test")
    services.ticket_cc_add(ticket=resolved, actor=customer, user=colleague)
    client = tenant_client(colleague)
    assert "Send rating" not in client.get(f"/tickets/{resolved.number}/").content.decode()
    response = rate(client, resolved, 1)
    assert "Only the requester" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


# --- The one-click link ---


def test_one_click_link_rates_without_a_login(tenant_client, resolved):
    client = tenant_client()
    response = client.get(survey_path(resolved, rating=4))

    assert response.status_code == 200
    assert SatisfactionRating.objects.get(ticket=resolved).rating == 4
    assert resolved.number in response.content.decode()
    assert "Your rating: 4 out of 5." in response.content.decode()


def test_link_page_takes_a_comment_and_a_changed_rating(tenant_client, resolved):
    client = tenant_client()
    client.get(survey_path(resolved, rating=2))
    path = survey_path(resolved)

    response = client.post(path, {"rating": 3, "comment": "Took a while."})

    rated = SatisfactionRating.objects.get(ticket=resolved)
    assert response.status_code == 302
    assert (rated.rating, rated.comment) == (3, "Took a while.")


def test_clicking_the_same_rating_again_keeps_the_comment_and_writes_nothing(
    tenant_client, resolved, events
):
    client = tenant_client()
    client.get(survey_path(resolved, rating=5))
    client.post(survey_path(resolved), {"rating": 5, "comment": "Great"})
    before = resolved.history.filter(field="satisfaction").count()

    client.get(survey_path(resolved, rating=5))

    assert SatisfactionRating.objects.get().comment == "Great"
    assert resolved.history.filter(field="satisfaction").count() == before


def test_link_respects_the_seven_day_window(tenant_client, resolved):
    client = tenant_client()
    client.get(survey_path(resolved, rating=5))
    SatisfactionRating.objects.update(created_at=timezone.now() - timedelta(days=8))

    response = client.get(survey_path(resolved, rating=1))

    assert "only be changed for 7 days" in response.content.decode()
    assert SatisfactionRating.objects.get().rating == 5


def test_link_on_a_reopened_ticket_does_not_rate(tenant_client, customer, resolved):
    services.message_add(ticket=resolved, actor=customer, content="Not fixed after all.")
    response = tenant_client().get(survey_path(resolved, rating=5))
    assert "once they are resolved" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_forged_links_are_not_found(tenant_client, resolved):
    path = survey_path(resolved, rating=5)
    token = path.split("/")[2]
    forged = path.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    response = tenant_client().get(forged)
    assert response.status_code == 404
    assert not SatisfactionRating.objects.exists()


def test_a_link_of_one_tenant_does_not_work_on_another(tenant_client, resolved, other_tenant):
    path = survey_path(resolved, rating=5)
    with in_schema(other_tenant):
        response = tenant_client(on=other_tenant).get(path)
    assert response.status_code == 404
    assert not SatisfactionRating.objects.exists()
