"""The live chat plugin through its public surface: widget, visitor endpoints, desk."""

import json

import pytest
from panel1_chat.plugin import ChatPlugin


@pytest.fixture
def chat(plugin_env):
    plugin_env.register(ChatPlugin)
    plugin_env.enable("chat")
    return plugin_env


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _start(client, **data):
    body = {"email": "vic@visitor.test", "name": "Vic", "message": "Is the shop open?", **data}
    return _post(client, "/apps/chat/start/", body)


def test_widget_on_portal_home_and_kb_only_when_enabled(plugin_env):
    plugin_env.register(ChatPlugin)
    visitor = plugin_env.client()
    assert b"data-chat" not in visitor.get("/").content
    assert _start(visitor).status_code == 404
    plugin_env.enable("chat")
    page = visitor.get("/").content.decode()
    assert "data-chat" in page and "panel1_chat/chat.js" in page


def test_a_chat_becomes_a_chat_ticket_and_answers_arrive_by_polling(chat):
    from django.apps import apps

    visitor = chat.client()
    response = _start(visitor)
    assert response.status_code == 201
    token, number = response.json()["token"], response.json()["number"]
    ticket = apps.get_model("tickets", "Ticket").objects.get(number=number)
    assert (ticket.channel, ticket.requester.email) == ("CHAT", "vic@visitor.test")

    agent = chat.user(role="AGENT")
    desk = chat.client(agent)
    assert (
        desk.post(
            f"/api/v1/tickets/{ticket.pk}/messages/",
            {"content": "Yes, until 6 pm.", "message_type": "STAFF_REPLY"},
            content_type="application/json",
        ).status_code
        == 201
    )
    desk.post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"content": "internal only", "message_type": "INTERNAL_NOTE"},
        content_type="application/json",
    )
    transcript = visitor.get(f"/apps/chat/{token}/messages/").json()["messages"]
    assert [(m["from"], m["content"]) for m in transcript] == [
        ("visitor", "Is the shop open?"),
        ("agent", "Yes, until 6 pm."),
    ]
    response = _post(visitor, f"/apps/chat/{token}/messages/", {"message": "Thanks!"})
    assert response.status_code == 201
    assert response.json()["messages"][-1] == {
        **response.json()["messages"][-1],
        "from": "visitor",
        "content": "Thanks!",
    }
    assert ticket.messages.latest("created_at").channel == "CHAT"


def test_desk_shows_whether_the_visitor_is_still_there(chat):
    visitor = chat.client()
    body = _start(visitor).json()
    desk = chat.client(chat.user(role="AGENT"))
    page = desk.get(f"/desk/tickets/{body['number']}/").content.decode()
    assert 'data-chat-state="online"' in page
    assert _post(visitor, f"/apps/chat/{body['token']}/leave/", {}).status_code == 200
    # A poll still in flight when the visitor left does not bring them back; writing does.
    visitor.get(f"/apps/chat/{body['token']}/messages/")
    page = desk.get(f"/desk/tickets/{body['number']}/").content.decode()
    assert 'data-chat-state="left"' in page
    # The transcript stays on the ticket.
    assert "Is the shop open?" in page
    _post(visitor, f"/apps/chat/{body['token']}/messages/", {"message": "One more thing"})
    page = desk.get(f"/desk/tickets/{body['number']}/").content.decode()
    assert 'data-chat-state="online"' in page


def test_bad_input_is_a_400_naming_the_field(chat):
    visitor = chat.client()
    assert _start(visitor, email="not-an-email").json() == {
        "email": ["Give your email address so we can answer."]
    }
    assert _start(visitor, message="  ").status_code == 400
    assert (
        visitor.post("/apps/chat/start/", "{", content_type="application/json").status_code == 400
    )
    assert visitor.get("/apps/chat/nope/messages/").status_code == 404
    assert _post(visitor, "/apps/chat/nope/leave/", {}).status_code == 404


def test_signed_in_customers_chat_as_themselves(chat):
    customer = chat.user(role="CUSTOMER", email="carol@customer.test")
    client = chat.client(customer)
    number = _start(client, email="someone-else@x.test").json()["number"]
    from django.apps import apps

    ticket = apps.get_model("tickets", "Ticket").objects.get(number=number)
    assert ticket.requester == customer


def test_new_chats_are_rate_limited_per_email(chat):
    from django.core.cache import cache

    cache.clear()
    visitor = chat.client()
    codes = [_start(visitor, email="flood@visitor.test").status_code for _ in range(6)]
    assert codes == [201] * 5 + [429]
    assert _start(visitor, email="other@visitor.test").status_code == 201
    cache.clear()


def test_customer_notifications_show_in_the_chat(chat, settings):
    """The plugin's customer notification channel `chat.notices`: "resolved" shows up in the
    visitor's chat (staff replies are in the transcript already)."""
    settings.ENABLE_EMAIL_SENDING = True
    visitor = chat.client()
    started = _start(visitor).json()
    from django.apps import apps

    ticket = apps.get_model("tickets", "Ticket").objects.get(number=started["number"])
    desk = chat.client(chat.user(role="AGENT"))
    url = f"/api/v1/tickets/{ticket.pk}/"
    reply = {"content": "Yes, until 6 pm.", "message_type": "STAFF_REPLY"}
    assert desk.post(f"{url}messages/", reply, content_type="application/json").status_code == 201
    polled = visitor.get(f"/apps/chat/{started['token']}/messages/").json()
    received = {"kind": "ticket_created", "text": f"We received your request {ticket.number}."}
    assert polled["notices"] == [received]  # the acknowledgement; the reply is in the transcript
    resolved = desk.post(f"{url}status/", {"status": "RESOLVED"}, content_type="application/json")
    assert resolved.status_code == 200, resolved.content
    polled = visitor.get(f"/apps/chat/{started['token']}/messages/").json()
    assert polled["notices"] == [
        received,
        {
            "kind": "ticket_resolved",
            "text": f"Your request {ticket.number} was marked as resolved.",
        },
    ]
