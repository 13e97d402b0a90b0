"""Notification channels that plugins bring: staff notices and the desk's notifications (per
agent and kind, from the preferences page) and customer notifications go through them."""

import pytest

from panel1.plugins import NotificationChannel, Plugin
from panel1.plugins.channels import channel_deliver_task
from tests.factories import AgentFactory, CustomerFactory
from tickets import notifiers

SENT: list[dict] = []
HTMX = {"HTTP_HX_REQUEST": "true"}


class Pager(Plugin):
    name = "pager"
    version = "1.0.0"
    description = "Pages agents and texts customers."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    notification_channels = {
        "page": NotificationChannel(method="page", label="Pager", description="Your pager"),
        "sms": NotificationChannel(
            method="sms", label="SMS", audiences=("customer",), description="Texts"
        ),
        "digest": NotificationChannel(method="digest", label="Digest", default=False),
    }

    def page(self, ctx, notification):
        SENT.append({**notification, "channel": "page"})
        ctx.data.incr("pages")

    def digest(self, ctx, notification):
        SENT.append({**notification, "channel": "digest"})

    def sms(self, ctx, notification):
        SENT.append({**notification, "channel": "sms"})


@pytest.fixture
def pager(plugin_env):
    SENT.clear()
    plugin_env.register(Pager)
    return plugin_env


def _notice(*users, id="a" * 32):
    return notifiers.StaffNotice(
        ticket_id="00000000-0000-0000-0000-000000000001",
        ticket_number="SUP-1",
        ticket_subject="Printer",
        user_ids=tuple(str(u.pk) for u in users),
        message="Please look at SUP-1",
        title="[SUP-1] Look",
        source="Sent by the automation rule 'x'.",
        id=id,
    )


def _delivered(channel, kind=None):
    return [n for n in SENT if n["channel"] == channel and (kind is None or n["kind"] == kind)]


def test_staff_notices_reach_the_channels_of_enabled_plugins(pager):
    agent = AgentFactory()
    with pager.committed():
        notifiers.staff_notify(_notice(agent))
    assert SENT == []  # not enabled for the tenant
    pager.enable("pager")
    with pager.committed():
        notifiers.staff_notify(_notice(agent, id="b" * 32))
    [sent] = _delivered("page")  # the digest channel is off unless an agent turns it on
    assert sent["audience"] == "staff" and sent["kind"] == "notice"
    assert sent["recipients"] == [
        {"id": str(agent.pk), "email": agent.email, "name": agent.get_full_name()}
    ]
    assert sent["title"] == "[SUP-1] Look" and sent["ticket_number"] == "SUP-1"
    assert pager.context("pager").data.get("pages") == 1


def test_a_redelivered_job_delivers_once(pager):
    pager.enable("pager")
    notification = {"id": "c" * 32, "kind": "notice", "recipients": []}
    assert channel_deliver_task("pager.page", notification) is True
    assert channel_deliver_task("pager.page", notification) is False
    assert len(SENT) == 1
    pager.disable("pager")
    assert channel_deliver_task("pager.page", {**notification, "id": "d" * 32}) is False


def test_desk_notifications_follow_each_agents_choice(pager):
    pager.enable("pager")
    agent, mentioned = AgentFactory(), AgentFactory()
    ticket = pager.ticket(subject="Printer")
    client = pager.client(agent)

    def mention(text):
        url = f"/desk/tickets/{ticket.number}/reply/"
        content = f"@{mentioned.email} {text}"
        assert client.post(url, {"content": content, "internal": "on"}, **HTMX).status_code == 200

    mention("please check")
    [sent] = _delivered("page", "mention")
    assert [r["id"] for r in sent["recipients"]] == [str(mentioned.pk)]
    assert ticket.number in sent["message"]
    # The mentioned agent turns the pager off for mentions (and the digest on) on the page.
    own = pager.client(mentioned)
    page = own.get("/desk/notifications/preferences/").content.decode()
    assert ">Pager</th>" in page and ">Digest</th>" in page and "Other notices" in page
    assert 'name="mention-pager.page"' in page
    assert "SMS" not in page  # a customer channel
    form = {"mention-in_app": "on", "mention-email": "on", "mention-pager.digest": "on"}
    assert own.post("/desk/notifications/preferences/", form).status_code == 302
    SENT.clear()
    mention("again")
    assert _delivered("page") == []
    [digest] = _delivered("digest", "mention")
    assert [r["id"] for r in digest["recipients"]] == [str(mentioned.pk)]
    pager.disable("pager")
    assert ">Pager</th>" not in own.get("/desk/notifications/preferences/").content.decode()


def test_customer_notifications_reach_customer_channels(pager, settings):
    settings.ENABLE_EMAIL_SENDING = True
    pager.enable("pager")
    customer = CustomerFactory()
    ticket = pager.ticket(subject="Printer", requester_email=customer.email)
    SENT.clear()
    client = pager.client(AgentFactory())
    url = f"/desk/tickets/{ticket.number}/reply/"
    assert client.post(url, {"content": "Try turning it off and on."}, **HTMX).status_code == 200
    [sent] = _delivered("sms", "staff_reply")
    assert sent["audience"] == "customer"
    assert [r["email"] for r in sent["recipients"]] == [customer.email]
    assert sent["message"] == "Try turning it off and on."
    assert _delivered("page") == []  # staff channels get no customer notifications
    SENT.clear()
    assert client.post(url, {"content": "Note", "internal": "on"}, **HTMX).status_code == 200
    assert _delivered("sms") == []  # notes are never sent to customers


def test_invalid_channels_are_refused_naming_the_field():
    from panel1.plugins.validation import validate_plugin

    class Bad(Pager):
        name = "bad-channels"
        notification_channels = {
            "x": NotificationChannel(method="page", label="X"),
            "nolabel": NotificationChannel(method="page", label=" "),
            "who": NotificationChannel(method="page", label="Who", audiences=("robots",)),
            "how": NotificationChannel(method="missing", label="How"),
        }

    fields = {error.field for error in validate_plugin(Bad())}
    assert {
        "notification_channels.x",
        "notification_channels.nolabel.label",
        "notification_channels.who.audiences",
        "notification_channels.how",
    } <= fields


def test_no_query_when_no_installed_plugin_brings_a_channel(plugin_env, django_assert_num_queries):
    """Staff notices cost nothing extra unless a plugin with a staff channel is installed."""
    from panel1.plugins.registry import registry

    assert not [p for p in registry.all() if p.notification_channels and p.name != "chat"]
    agent = AgentFactory()
    with django_assert_num_queries(0):
        assert notifiers.plugin_channels_notify(_notice(agent)) == 0
