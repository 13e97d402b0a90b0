"""The redaction plugin end to end, through the plugin test kit (`plugin_env`)."""

from email.message import EmailMessage

from panel1_redaction.plugin import RedactionPlugin

CARD = "4111 1111 1111 1111"
IBAN = "DE89 3704 0044 0532 0130 00"


def _enable(env, **settings):
    env.register(RedactionPlugin)
    env.enable("redaction", settings=settings or None)


def test_is_installed_through_its_entry_point():
    from panel1.plugins.registry import registry

    assert registry.get("redaction").source == "entry point redaction"


def test_api_created_ticket_is_masked_and_counted(plugin_env):
    _enable(plugin_env)
    admin = plugin_env.user(role="ADMIN")
    client = plugin_env.client(admin)
    response = client.post(
        "/api/v1/tickets/",
        {"subject": f"Card {CARD}", "content": f"Card {CARD}, IBAN {IBAN}."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "Card [redacted card …1111]"
    messages = client.get(f"/api/v1/tickets/{body['id']}/messages/").json()["results"]
    assert messages[0]["content"] == "Card [redacted card …1111], IBAN [redacted IBAN DE…3000]."
    counted = client.get(f"/api/v1/plugins/redaction/api/tickets/{body['id']}/").json()
    assert counted == {"ticket": body["id"], "masked": 2}
    page = client.get(f"/desk/tickets/{body['number']}/")
    assert b'class="redaction-count">2<' in page.content


def test_mail_is_masked_before_it_is_stored(plugin_env):
    from tickets.email.ingest import inbound_receive
    from tickets.models import Message

    _enable(plugin_env, cards=True, ibans=True, patterns=[r"PIN \d{4}"], label="masked")
    mail = EmailMessage()
    mail["From"] = "Pat <pat@customer.test>"
    mail["To"] = f"support@{plugin_env.tenant.domains.first().domain}"
    mail["Subject"] = "Refund"
    mail["Message-ID"] = "<refund-1@customer.test>"
    mail.set_content(f"Refund to {IBAN} please, card {CARD}, PIN 1234.\n")
    with plugin_env.committed():
        inbound = inbound_receive(raw=mail.as_bytes(), source="test")
    assert inbound.ticket_id is not None, inbound.error
    stored = Message.objects.get(ticket_id=inbound.ticket_id).content
    assert CARD not in stored and "DE89" not in stored and "1234" not in stored.split("…")[0]
    assert "[masked IBAN DE…3000]" in stored
    assert "[masked card …1111]" in stored
    assert "[masked]" in stored
    ctx = plugin_env.context("redaction")
    assert ctx.data.get(f"masked:{inbound.ticket_id}") == 3


def test_disabled_for_the_tenant_masks_nothing(plugin_env):
    plugin_env.register(RedactionPlugin)
    ticket = plugin_env.ticket(content=f"Card {CARD}")
    assert ticket.messages.get().content == f"Card {CARD}"


def test_settings_are_validated_per_field(plugin_env):
    plugin_env.register(RedactionPlugin)
    client = plugin_env.client(plugin_env.user(role="ADMIN"))
    url = "/api/v1/plugins/redaction/settings/"
    assert client.get(url).json() == {
        "cards": True,
        "ibans": True,
        "patterns": [],
        "label": "redacted",
    }
    response = client.put(url, {"patterns": ["(unclosed"]}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["patterns"]
    response = client.put(
        url, {"cards": False, "ibans": True, "patterns": []}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["cards"] is False


def test_card_masking_can_be_switched_off(plugin_env):
    _enable(plugin_env, cards=False, ibans=True)
    ticket = plugin_env.ticket(content=f"Card {CARD}")
    assert ticket.messages.get().content == f"Card {CARD}"
