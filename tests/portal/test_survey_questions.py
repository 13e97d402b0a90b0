"""The portal's survey form: three questions, the tenant's texts, the mean as the score."""

import pytest

from tests.factories import TicketFactory
from tickets import services
from tickets.models import SatisfactionRating, Status, SurveySettings


@pytest.fixture
def resolved(customer, agent):
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="Fixed it.")
    return services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)


def test_three_questions_are_answered_on_the_ticket_page(tenant_client, customer, resolved):
    client = tenant_client(customer)
    page = client.get(f"/tickets/{resolved.number}/").content.decode()
    assert "How satisfied are you with the solution?" in page

    client.post(
        f"/tickets/{resolved.number}/rate/",
        {"response_time": 5, "solution": 3, "team": 4, "comment": "ok"},
    )

    rating = SatisfactionRating.objects.get(ticket=resolved)
    assert (rating.response_time, rating.solution, rating.team, rating.score) == (5, 3, 4, 4.0)


def test_an_empty_answer_is_refused(tenant_client, customer, resolved):
    response = tenant_client(customer).post(f"/tickets/{resolved.number}/rate/", {"comment": "x"})
    assert "Answer at least one question." in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_question_texts_come_from_the_tenant(tenant_client, customer, resolved):
    SurveySettings.objects.create(pk=1, questions={"en": {"team": "Were we kind?"}})
    page = tenant_client(customer).get(f"/tickets/{resolved.number}/").content.decode()
    assert "Were we kind?" in page
