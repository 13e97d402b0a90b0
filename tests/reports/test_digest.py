"""The weekly digest mail: opt-in, tenant-local schedule, once per recipient and week."""

from __future__ import annotations

import datetime as dt

import pytest

from panel1 import jobs
from reports import digest
from reports.models import DigestDelivery, DigestStatus, DigestSubscription
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory, SupervisorFactory
from tests.reports.conftest import DAY, at
from tickets.models import BouncedAddress

UTC = dt.UTC
WEEK = DAY  # Monday 2026-03-02; its digest is due Monday 2026-03-09 07:00 tenant time
NEXT_MONDAY = DAY + dt.timedelta(weeks=1)


@pytest.fixture(autouse=True)
def mail_on(settings):
    settings.ENABLE_EMAIL_SENDING = True


LONG_AGO = at(DAY - dt.timedelta(days=30))


def subscribe(user, *, since=LONG_AGO):
    digest.digest_subscribe(user=user, enabled=True)
    DigestSubscription.objects.filter(user=user).update(updated_at=since)


@pytest.fixture
def week_tickets(make_ticket, agent, refresh):
    make_ticket(created=at(DAY, 9), first=at(DAY, 9, 30), resolved=at(DAY, 12), assignee=agent)
    make_ticket(created=at(DAY + dt.timedelta(days=2), 9), assignee=agent)
    make_ticket(created=at(DAY - dt.timedelta(days=3), 9), assignee=agent)  # the week before
    refresh()


@pytest.fixture
def zone(tenant):
    """The tenant in Auckland (UTC+13 in March): its Monday 07:00 is Sunday 18:00 UTC."""
    tenant.default_timezone = "Pacific/Auckland"
    tenant.save(update_fields=["default_timezone"])
    yield tenant
    tenant.default_timezone = "UTC"
    tenant.save(update_fields=["default_timezone"])


def test_sent_once_on_tenant_local_monday_with_the_weeks_figures(
    zone, week_tickets, supervisor, mailoutbox
):
    subscribe(supervisor, since=at(DAY))
    sunday_evening_utc = dt.datetime(2026, 3, 8, 17, 30, tzinfo=UTC)  # Monday 06:30 in Auckland

    # Before 07:00 there nothing is due (the week before fell due before they subscribed).
    assert digest.digest_send_due(now=sunday_evening_utc)["sent"] == 0
    assert mailoutbox == []

    due = dt.datetime(2026, 3, 8, 18, 0, tzinfo=UTC)  # Monday 07:00 in Auckland
    assert digest.digest_send_due(now=due) == {"sent": 1, "skipped": 0, "failed": 0}
    assert digest.digest_send_due(now=due + dt.timedelta(hours=1))["sent"] == 0  # a rerun

    mail = mailoutbox[-1]
    assert len(mailoutbox) == 1
    assert mail.to == [supervisor.email]
    assert "2026-03-02" in mail.subject and "2026-03-08" in mail.subject
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    text = mail.body
    html = mail.alternatives[0][0]
    # Auckland days: the two tickets of the week (09:00 UTC is 22:00 local, same day).
    assert "Tickets created: 2 (week before: 1, +100.0 %)" in text
    assert "Tickets solved: 1" in text and "First response SLA met: — (week" in text
    assert "- Alice: 1" in text
    link = "http://alpha.test.localhost/desk/reports/overview/?start=2026-03-02&end=2026-03-08"
    assert link in text and link.replace("&", "&amp;") in html
    assert "http://alpha.test.localhost/desk/reports/digest/" in text
    row = DigestDelivery.objects.get(week_start=WEEK)
    assert row.status == DigestStatus.SENT and row.attempts == 1
    assert mail.extra_headers["Message-ID"] == f"<{row.message_id}>"


def test_a_second_worker_sends_nothing(tenant, supervisor, mailoutbox):
    subscribe(supervisor)
    now = at(NEXT_MONDAY, 8)
    # Another worker created the row and claimed it a moment ago.
    DigestDelivery.objects.create(
        user=supervisor, week_start=WEEK, to_email=supervisor.email, status=DigestStatus.SENDING
    )
    assert digest.digest_send_due(now=now)["sent"] == 0
    assert mailoutbox == []
    # The claim is a conditional update: only one of two workers holding the row wins it.
    row = DigestDelivery.objects.get()
    DigestDelivery.objects.filter(pk=row.pk).update(status=DigestStatus.QUEUED)
    row.refresh_from_db()
    assert digest._claim(row) is True
    assert digest._claim(row) is False


def test_failed_send_is_retried_by_the_next_run(tenant, supervisor, mailoutbox, monkeypatch):
    subscribe(supervisor)
    now = at(NEXT_MONDAY, 8)

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
        assert digest.digest_send_due(now=now)["failed"] == 1
    row = DigestDelivery.objects.get()
    assert row.status == DigestStatus.FAILED and "smtp down" in row.error

    assert digest.digest_send_due(now=now + dt.timedelta(hours=1))["sent"] == 1
    row.refresh_from_db()
    assert row.status == DigestStatus.SENT and row.attempts == 2
    assert len(mailoutbox) == 1


def test_only_subscribed_supervisors_and_admins_get_it(tenant, supervisor, mailoutbox):
    admin, quiet, gone, bounced = (AdminFactory(), SupervisorFactory(), SupervisorFactory(),
                                   SupervisorFactory())  # fmt: skip
    for user in (supervisor, admin, gone, bounced):
        subscribe(user)
    digest.digest_subscribe(user=supervisor, enabled=False)  # opted out again
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    BouncedAddress.objects.create(email=bounced.email, suppressed=True, last_bounced_at=at(DAY))
    late = SupervisorFactory()
    subscribe(late, since=at(NEXT_MONDAY, 7, 30))  # after this digest fell due

    counts = digest.digest_send_due(now=at(NEXT_MONDAY, 8))

    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert counts == {"sent": 1, "skipped": 1, "failed": 0}
    assert DigestDelivery.objects.get(user=bounced).status == DigestStatus.SKIPPED
    assert not DigestDelivery.objects.filter(user__in=[quiet, supervisor, gone, late]).exists()


def test_agents_cannot_subscribe(tenant):
    with pytest.raises(Exception) as raised:
        digest.digest_subscribe(user=AgentFactory(), enabled=True)
    assert "supervisors and admins" in str(raised.value.errors)


def test_mail_off_sends_nothing(tenant, supervisor, mailoutbox, settings):
    subscribe(supervisor)
    settings.ENABLE_EMAIL_SENDING = False
    assert digest.digest_send_due(now=at(NEXT_MONDAY, 8))["sent"] == 0
    assert mailoutbox == [] and not DigestDelivery.objects.exists()


def test_fan_out_asks_only_tenants_with_subscribers(tenant, other_tenant, supervisor):
    schemas = [tenant.schema_name, other_tenant.schema_name]
    assert jobs.schemas_with_work(digest.digest_due_check, schemas) == []
    subscribe(supervisor)
    assert jobs.schemas_with_work(digest.digest_due_check, schemas) == [tenant.schema_name]
    with in_schema(other_tenant):
        assert digest.digest_send_due(now=at(NEXT_MONDAY, 8))["sent"] == 0


def test_schedule_is_registered_hourly_per_tenant():
    spec = {s.name: s for s in jobs.registered_schedules()}["reports.digest"]
    assert (spec.minutes, spec.per_tenant, spec.func) == (
        60,
        True,
        "reports.digest.digest_send_due_task",
    )


def test_next_send_in_tenant_time():
    auckland = digest.ZoneInfo("Pacific/Auckland")
    wednesday = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert digest.digest_next_send(wednesday, auckland) == dt.datetime(
        2026, 3, 9, 7, 0, tzinfo=auckland
    )
    assert digest.digest_week(wednesday, auckland) == dt.date(2026, 2, 23)


# --- API and desk --------------------------------------------------------------------------


def test_api_subscription(api_client, supervisor):
    client = api_client(supervisor)
    assert client.get("/api/v1/reports/digest/").json()["subscribed"] is False
    body = client.put("/api/v1/reports/digest/", {"subscribed": True}, format="json").json()
    assert body["subscribed"] is True and body["eligible"] is True
    assert body["timezone"] == "UTC" and body["next_digest_at"]
    assert client.put("/api/v1/reports/digest/", {}, format="json").status_code == 400
    off = client.put("/api/v1/reports/digest/", {"subscribed": False}, format="json")
    assert off.json()["subscribed"] is False


def test_api_agent_gets_400_and_customer_403(api_client, agent, customer):
    answer = api_client(agent).put("/api/v1/reports/digest/", {"subscribed": True}, format="json")
    assert answer.status_code == 400 and "subscribed" in answer.json()
    assert api_client(customer).get("/api/v1/reports/digest/").status_code == 403


def test_desk_page_turns_it_on_and_off(tenant_client, supervisor):
    client = tenant_client(supervisor)
    page = client.get("/desk/reports/digest/")
    assert page.status_code == 200 and "Turn the weekly digest on" in page.content.decode()
    client.post("/desk/reports/digest/", {"subscribed": "1"})
    assert digest.digest_subscribed(supervisor)
    assert "Turn the weekly digest off" in client.get("/desk/reports/digest/").content.decode()
    client.post("/desk/reports/digest/", {"subscribed": "0"})
    assert not digest.digest_subscribed(supervisor)
    assert "/desk/reports/digest/" in client.get("/desk/reports/overview/").content.decode()


def test_desk_page_tells_agents_it_is_for_supervisors(tenant_client, agent):
    client = tenant_client(agent)
    page = client.get("/desk/reports/digest/").content.decode()
    assert "The weekly digest is for supervisors and admins." in page
    answer = client.post("/desk/reports/digest/", {"subscribed": "1"})
    assert answer.status_code == 302 and not digest.digest_subscribed(agent)
    assert "/desk/reports/digest/" not in client.get("/desk/reports/overview/").content.decode()
