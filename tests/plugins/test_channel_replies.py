"""A channel plugin files tickets through the core services and gets the agents' replies on
its tickets for delivery (`channel.reply`)."""

import pytest

from panel1.plugins import Plugin
from tests.factories import AgentFactory

DELIVERED: list[dict] = []


class Sms(Plugin):
    name = "sms"
    version = "1.0.0"
    description = "Tickets by text message."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    permissions = ["tickets:read", "tickets:write"]
    channel = "SMS"
    hooks = {"channel.reply": "send_text"}

    def send_text(self, ctx, reply):
        DELIVERED.append(reply)


@pytest.fixture
def sms(plugin_env):
    DELIVERED.clear()
    plugin_env.register(Sms)
    plugin_env.enable("sms")
    return plugin_env


def _incoming(env, text):
    with env.committed():
        return env.context("sms").tickets.create(
            requester_email="caller@phone.test", name="Caller", subject="SMS", content=text,
            channel="SMS",
        )  # fmt: skip


def _reply(env, ticket_id, content, message_type="STAFF_REPLY"):
    client = env.client(AgentFactory())
    response = client.post(
        f"/api/v1/tickets/{ticket_id}/messages/",
        {"content": content, "message_type": message_type},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_staff_replies_on_its_tickets_reach_the_channel_plugin(sms):
    ticket = _incoming(sms, "My order is late")
    message = _reply(sms, ticket["id"], "It ships today.")
    _reply(sms, ticket["id"], "internal", message_type="INTERNAL_NOTE")
    assert [
        {
            "ticket_id": ticket["id"],
            "number": ticket["number"],
            "channel": "SMS",
            "requester_email": "caller@phone.test",
            "message_id": message["id"],
            "content": "It ships today.",
            "author_name": DELIVERED[0]["author_name"],
            "created_at": DELIVERED[0]["created_at"],
        }
    ] == DELIVERED


def test_replies_on_other_channels_or_while_disabled_are_not_delivered(sms):
    web = sms.ticket(subject="Web ticket")
    _reply(sms, str(web.pk), "Answered on the web.")
    assert DELIVERED == []
    ticket = _incoming(sms, "Hello?")
    sms.disable("sms")
    _reply(sms, ticket["id"], "Nobody delivers this.")
    assert DELIVERED == []


def test_a_redelivered_job_delivers_once(sms):
    from panel1.events.models import EventRecord
    from panel1.plugins.channel_replies import channel_reply_task

    ticket = _incoming(sms, "Hi")
    _reply(sms, ticket["id"], "Hello!")
    event = EventRecord.objects.filter(name="message.added").order_by("-created_at").first()
    assert channel_reply_task(str(event.id)) is False
    assert len(DELIVERED) == 1


def test_only_channel_plugins_may_take_replies():
    from panel1.plugins.validation import validate_plugin

    class NoChannel(Sms):
        name = "no-channel"
        channel = None

    assert [e.field for e in validate_plugin(NoChannel())] == ["hooks.channel.reply"]
