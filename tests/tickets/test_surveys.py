"""The survey mail after resolution: delay, one reminder, signed links, rules on the scores."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from automation.services import rule_create
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tickets import services
from tickets.models import SatisfactionRating, Status, SurveyInvite, SurveySettings
from tickets.satisfaction import satisfaction_answer
from tickets.surveys import survey_dispatch

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def agent(tenant):
    return AgentFactory()


@pytest.fixture
def customer(tenant):
    return CustomerFactory()


@pytest.fixture
def mails(settings):
    settings.ENABLE_EMAIL_SENDING = True
    mail.outbox.clear()
    return lambda: [m for m in mail.outbox if "How did we do?" in m.subject]


@pytest.fixture
def resolved(customer, agent, run_on_commit):
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="Fixed it.")
    return services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)


def test_resolving_schedules_the_survey_after_the_delay(resolved):
    invite = SurveyInvite.objects.get(ticket=resolved)
    assert invite.sent_at is None
    assert abs((invite.due_at - timezone.now()) - HOUR) < dt.timedelta(seconds=30)


def test_the_survey_is_sent_once_when_due(resolved, mails, customer):
    assert survey_dispatch(now=timezone.now())["sent"] == 0
    later = timezone.now() + 2 * HOUR

    assert survey_dispatch(now=later) == {"sent": 1, "reminded": 0}
    assert survey_dispatch(now=later) == {"sent": 0, "reminded": 0}

    [sent] = mails()
    assert sent.to == [customer.email]
    assert "How satisfied are you with the solution?" in sent.body
    assert len(re.findall(r"/satisfaction/[^/\s]+/\?rating=[1-5]", sent.body)) == 5


def test_one_reminder_if_unanswered(resolved, mails):
    start = timezone.now() + 2 * HOUR
    survey_dispatch(now=start)
    assert survey_dispatch(now=start + 71 * HOUR)["reminded"] == 0
    assert survey_dispatch(now=start + 73 * HOUR)["reminded"] == 1
    assert survey_dispatch(now=start + 200 * HOUR)["reminded"] == 0
    assert [m.body.startswith("A reminder") for m in mails()] == [False, True]


def test_no_survey_or_reminder_once_rated(resolved, mails, customer):
    satisfaction_answer(ticket=resolved, actor=customer, response_time=5, solution=5, team=5)
    assert survey_dispatch(now=timezone.now() + 200 * HOUR) == {"sent": 0, "reminded": 0}
    assert mails() == []


def test_reopened_tickets_get_no_survey(resolved, customer, mails):
    services.ticket_status_change(ticket=resolved, actor=customer, status=Status.OPEN)
    assert survey_dispatch(now=timezone.now() + 2 * HOUR)["sent"] == 0


def test_delay_and_reminder_are_configurable(customer, agent, mails):
    SurveySettings.objects.create(pk=1, delay_minutes=0, reminder_after_hours=0)
    ticket = TicketFactory(requester=customer)
    services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)
    assert survey_dispatch(now=timezone.now() + dt.timedelta(seconds=1))["sent"] == 1
    assert survey_dispatch(now=timezone.now() + 500 * HOUR)["reminded"] == 0


def test_disabled_surveys_are_not_scheduled(customer, agent):
    SurveySettings.objects.create(pk=1, enabled=False)
    ticket = TicketFactory(requester=customer)
    services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)
    assert not SurveyInvite.objects.exists()


def test_question_texts_are_editable_per_language(tenant):
    options = SurveySettings(questions={"de": {"team": "Wie war unser Team?"}})
    texts = options.question_texts("de")
    assert texts["team"] == "Wie war unser Team?"
    assert texts["solution"] == "How satisfied are you with the solution?"


def test_one_click_link_answers_all_three_and_reuse_is_harmless(resolved, mails, tenant_client):
    survey_dispatch(now=timezone.now() + 2 * HOUR)
    path = re.search(r"(/satisfaction/[^/\s]+/\?rating=2)", mails()[0].body).group(1)
    client = tenant_client()

    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200

    rating = SatisfactionRating.objects.get(ticket=resolved)
    assert (rating.response_time, rating.solution, rating.team, rating.score) == (2, 2, 2, 2.0)
    assert resolved.messages.filter(message_type="INTERNAL_NOTE").count() == 1  # low score


def test_tampered_link_is_a_clear_page(resolved, mails, tenant_client):
    survey_dispatch(now=timezone.now() + 2 * HOUR)
    path = re.search(r"/satisfaction/([^/\s]+)/", mails()[0].body).group(1)
    response = tenant_client().get(f"/satisfaction/{path[:-3]}xyz/?rating=5")
    assert response.status_code == 404
    assert not SatisfactionRating.objects.exists()


def test_automation_rules_act_on_the_scores(resolved, customer, run_on_commit):
    rule_create(
        actor=None,
        name="Low team score",
        trigger_event="survey.completed",
        conditions=[{"field": "satisfaction_team", "operator": "lte", "value": 2}],
        actions=[{"type": "add_tags", "parameters": {"tags": ["unhappy"]}}],
    )
    with run_on_commit():
        satisfaction_answer(ticket=resolved, actor=customer, response_time=5, solution=4, team=1)
    resolved.refresh_from_db()
    assert "unhappy" in resolved.tags
