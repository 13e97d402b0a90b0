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


def test_raw_mail_bytes_are_masked_before_they_are_stored(plugin_env):
    """The stored InboundEmail.raw (kept for reprocessing) never holds the card, the IBAN or
    the custom pattern: not in a base64 body, not in the Subject, not in an HTML part."""
    import base64

    from tickets.email.ingest import inbound_receive
    from tickets.models import InboundEmail

    _enable(plugin_env, cards=True, ibans=True, patterns=[r"PIN \d{4}"])
    mail = EmailMessage()
    mail["From"] = "Pat <pat@customer.test>"
    mail["To"] = f"support@{plugin_env.tenant.domains.first().domain}"
    mail["Subject"] = f"Card {CARD}"
    mail["Message-ID"] = "<raw-1@customer.test>"
    mail.set_content(f"Refund to {IBAN}, card {CARD}, PIN 1234. Grüße\n", cte="base64")
    mail.add_alternative(f"<p>Card <b>{CARD.replace(' ', '')}</b></p>", subtype="html")
    raw = mail.as_bytes()
    assert base64.b64encode(b"Refund to DE89")[:12] in raw  # the card hides in base64
    with plugin_env.committed():
        inbound = inbound_receive(raw=raw, source="test")
    assert inbound.ticket_id is not None, inbound.error
    stored = bytes(InboundEmail.objects.get(pk=inbound.pk).raw)
    assert stored != raw
    from email import policy
    from email.parser import BytesParser

    parsed = BytesParser(policy=policy.default).parsebytes(stored)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "[redacted card …1111]" in parsed["Subject"]
    assert "[redacted IBAN DE…3000]" in text and "[redacted card …1111]" in text
    assert "[redacted]" in text and "Grüße" in text
    assert "[redacted card …1111]" in html
    everything = stored + text.encode() + html.encode() + str(parsed["Subject"]).encode()
    for secret in (b"4111 1111 1111 1111", b"4111111111111111", b"DE89", b"PIN 1234"):
        assert secret not in everything
    assert not InboundEmail.objects.filter(raw__contains=b"4111111111111111").exists()
    ticket = inbound.ticket
    assert ticket.subject == "Card [redacted card …1111]"
    ctx = plugin_env.context("redaction")
    assert ctx.data.get(f"masked:{ticket.pk}") == 3  # IBAN, card, PIN of the stored message


def test_raw_mail_without_anything_to_mask_is_kept_byte_for_byte(plugin_env):
    from tickets.email.storage import inbound_store

    _enable(plugin_env)
    raw = b"From: a@customer.test\r\nSubject: Hello\r\n\r\nNothing secret, order 1234.\r\n"
    with plugin_env.committed():
        inbound = inbound_store(raw=raw, source="test")
    assert bytes(inbound.raw) == raw


def test_raw_mail_is_kept_as_it_came_while_the_plugin_is_disabled(plugin_env):
    from tickets.email.storage import inbound_store

    plugin_env.register(RedactionPlugin)
    raw = f"From: a@customer.test\r\nSubject: x\r\n\r\nCard {CARD}\r\n".encode()
    with plugin_env.committed():
        inbound = inbound_store(raw=raw, source="test")
    assert bytes(inbound.raw) == raw


def test_rules_can_act_on_the_masked_count(plugin_env):
    """The plugin's condition field `redaction.masked` ("Sensitive values masked")."""
    from automation.plugin_fields import plugin_fields_register

    _enable(plugin_env)
    plugin_fields_register()
    admin = plugin_env.client(plugin_env.user(role="ADMIN"))
    fields = admin.get("/api/v1/automation/fields/").json()["fields"]
    assert {"name": "redaction.masked", "label": "Sensitive values masked"}.items() <= next(
        f for f in fields if f["name"] == "redaction.masked"
    ).items()
    rule = {
        "name": "Tag PII",
        "trigger_event": "ticket.created",
        "conditions": [{"field": "redaction.masked", "operator": "gt", "value": 0}],
        "actions": [{"type": "add_tags", "parameters": {"tags": ["pii"]}}],
    }
    assert (
        admin.post("/api/v1/automation/rules/", rule, content_type="application/json").status_code
        == 201
    )
    with plugin_env.committed():
        flagged = plugin_env.ticket(subject="Payment", content=f"My card {CARD}")
        clean = plugin_env.ticket(subject="Payment", content="My card expired")
    flagged.refresh_from_db()
    clean.refresh_from_db()
    assert "pii" in flagged.tags
    assert "pii" not in clean.tags
