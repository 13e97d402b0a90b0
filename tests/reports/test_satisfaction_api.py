"""POST /tickets/{id}/satisfaction/: the three-question survey through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import CustomerFactory, TicketFactory
from tickets import services
from tickets.models import MessageType, SatisfactionRating, Status, SurveySettings
from tickets.stats import support_stats

ANSWER = {"response_time": 4, "solution": 5, "team": 3, "comment": "Thanks"}


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/satisfaction/"


@pytest.fixture
def resolved(customer, agent):
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="Fixed it.")
    return services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)


def test_requester_answers_201_and_ticket_score_is_the_mean(api_client, customer, resolved):
    client = api_client(customer)
    response = client.post(url(resolved), ANSWER, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["response_time"], body["solution"], body["team"], body["score"]) == (4, 5, 3, 4.0)
    ticket = client.get(f"/api/v1/tickets/{resolved.pk}/").json()
    assert ticket["satisfaction_score"] == 4.0


def test_answer_replaced_within_seven_days_is_200(api_client, customer, resolved):
    client = api_client(customer)
    client.post(url(resolved), ANSWER, format="json")
    response = client.post(url(resolved), {"response_time": 5, "solution": 5}, format="json")
    assert response.status_code == 200
    rating = SatisfactionRating.objects.get(ticket=resolved)
    assert (rating.team, rating.score) == (None, 5.0)


def test_replacing_after_seven_days_is_400(api_client, customer, resolved):
    client = api_client(customer)
    client.post(url(resolved), ANSWER, format="json")
    SatisfactionRating.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert client.post(url(resolved), ANSWER, format="json").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"response_time": 0, "solution": 5, "team": 5},
        {"response_time": 6},
        {"solution": "great"},
        {"team": 2.5},
        {},
        {"comment": "only words"},
    ],
)
def test_bad_scores_are_400(api_client, customer, resolved, body):
    response = api_client(customer).post(url(resolved), body, format="json")
    assert response.status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_unresolved_ticket_is_400(api_client, customer):
    ticket = TicketFactory(requester=customer)
    response = api_client(customer).post(url(ticket), ANSWER, format="json")
    assert response.status_code == 400


def test_staff_get_403(api_client, agent, supervisor, resolved):
    assert api_client(agent).post(url(resolved), ANSWER, format="json").status_code == 403
    assert api_client(supervisor).post(url(resolved), ANSWER, format="json").status_code == 403


def test_someone_elses_ticket_is_404(api_client, resolved):
    stranger = CustomerFactory()
    response = api_client(stranger).post(url(resolved), ANSWER, format="json")
    assert response.status_code == 404


def test_cc_colleague_is_404_too(api_client, customer, resolved):
    colleague = CustomerFactory()
    services.ticket_cc_add(ticket=resolved, actor=customer, user=colleague)
    assert api_client(colleague).post(url(resolved), ANSWER, format="json").status_code == 404


def test_anonymous_is_401(api_client, resolved):
    assert api_client().post(url(resolved), ANSWER, format="json").status_code == 401


def test_survey_completed_carries_the_three_scores(api_client, customer, resolved, events):
    api_client(customer).post(url(resolved), ANSWER, format="json")
    payload = next(e.payload for e in events if e.name == "survey.completed")
    assert (payload["response_time"], payload["solution"], payload["team"]) == (4, 5, 3)
    assert payload["score"] == 4.0


def test_stats_satisfaction_score_is_the_mean(api_client, customer, resolved):
    api_client(customer).post(url(resolved), {"response_time": 1, "solution": 2}, format="json")
    assert support_stats()["satisfaction_score"] == 1.5


def test_low_score_adds_a_note_and_mails_supervisors(
    api_client, customer, resolved, supervisor, settings
):
    settings.ENABLE_EMAIL_SENDING = True
    mail.outbox.clear()
    api_client(customer).post(url(resolved), {**ANSWER, "solution": 2}, format="json")

    note = resolved.messages.filter(message_type=MessageType.INTERNAL_NOTE).get()
    assert "Low satisfaction score" in note.content
    assert "solution: 2" in note.content
    assert [m.to for m in mail.outbox if "Low satisfaction" in m.subject] == [[supervisor.email]]
    # A changed answer that stays low adds no second note
    api_client(customer).post(url(resolved), {**ANSWER, "solution": 1}, format="json")
    assert resolved.messages.filter(message_type=MessageType.INTERNAL_NOTE).count() == 1


def test_low_score_threshold_is_configurable(api_client, customer, resolved):
    SurveySettings.objects.create(pk=1, low_score_threshold=3)
    api_client(customer).post(url(resolved), ANSWER, format="json")  # team: 3
    assert resolved.messages.filter(message_type=MessageType.INTERNAL_NOTE).exists()


def test_good_scores_need_no_follow_up(api_client, customer, resolved):
    api_client(customer).post(url(resolved), ANSWER, format="json")
    assert not resolved.messages.filter(message_type=MessageType.INTERNAL_NOTE).exists()


def test_single_ratings_migrate_into_three_questions(resolved):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tickets.migrations.0006_satisfaction_questions")
    SatisfactionRating.objects.create(ticket=resolved, rating=4)

    migration.single_ratings_to_questions(apps, None)

    rating = SatisfactionRating.objects.get()
    assert (rating.response_time, rating.solution, rating.team, rating.score) == (4, 4, 4, 4.0)
