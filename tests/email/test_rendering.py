"""Notification templates: one-pass placeholders, validation, branding, subjects, mentions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AgentFactory, CustomerFactory
from tickets.email.addresses import header_safe
from tickets.email.notifications import mentioned_staff
from tickets.email.outbound import mail_subject
from tickets.email.rendering import (
    Brand,
    default_template,
    render_email,
    render_placeholders,
    template_errors,
)
from tickets.models import EmailTemplate, EmailTemplateKey

BRAND = Brand(
    name="Acme <Support>",
    color="#ff0066",
    logo_url="https://acme.example/logo.png",
    footer="Acme Ltd, 1 Main St",
    home_url="https://acme.example/",
)


def test_values_are_inserted_once_and_never_evaluated():
    values = {"message": "{{ ticket_number }} and {{ message }}", "ticket_number": "SUP-1"}

    text = render_placeholders("[{{ticket_number}}] {{ message }}", values)

    assert text == "[SUP-1] {{ ticket_number }} and {{ message }}"


def test_html_values_are_escaped_and_keep_their_line_breaks():
    html = render_placeholders("<p>{{ message }}</p>", {"message": "a < b\n& c"}, html=True)

    assert html == "<p>a &lt; b<br>\n&amp; c</p>"


def test_unknown_placeholders_stay_as_written():
    assert render_placeholders("{{ nope }} {{ x.y }}", {}) == "{{ nope }} {{ x.y }}"


def test_template_validation_names_unknown_placeholders_and_multiline_subjects():
    errors = template_errors(
        key="staff_reply",
        subject="Hi {{ user.password }}\nBcc: x",
        body_text="{{ message }} {{ secret_key }}",
        body_html="",
    )

    assert "secret_key" in errors["body_text"][0]
    assert any("one line" in e for e in errors["subject"])


@pytest.mark.django_db
def test_the_model_refuses_unknown_placeholders(tenant):
    template = EmailTemplate(key="ticket_created", subject="{{ password }}", body_text="x")

    with pytest.raises(ValidationError, match="password"):
        template.full_clean()


@pytest.mark.parametrize("key", EmailTemplateKey.values)
def test_every_default_template_uses_only_known_placeholders(key):
    subject, text, html = default_template(key)

    assert subject and text.strip() and html.strip()
    assert template_errors(key=key, subject=subject, body_text=text, body_html=html) == {}


@pytest.mark.django_db
def test_the_layout_carries_the_tenant_branding_escaped(tenant):
    rendered = render_email(
        key="ticket_created",
        values={"ticket_number": "SUP-7", "ticket_subject": "Fax", "recipient_name": "<b>Eve</b>"},
        brand=BRAND,
    )

    assert rendered.subject == "Received: Fax"
    assert "background:#ff0066" in rendered.html
    assert '<img src="https://acme.example/logo.png" alt="Acme &lt;Support&gt;"' in rendered.html
    assert "Acme Ltd, 1 Main St" in rendered.html and "Acme Ltd, 1 Main St" in rendered.text
    assert "&lt;b&gt;Eve&lt;/b&gt;" in rendered.html and "<b>Eve</b>" in rendered.text


@pytest.mark.django_db
def test_a_tenant_override_replaces_the_default_and_its_html_is_sanitized(tenant):
    EmailTemplate.objects.create(
        key="ticket_created",
        subject="We got it ({{ ticket_number }})",
        body_text="Thanks {{ recipient_name }}",
        body_html='<p onclick="x()">Thanks</p><script>alert(1)</script>',
    )

    rendered = render_email(key="ticket_created", values={"ticket_number": "SUP-7"}, brand=BRAND)

    assert rendered.subject == "We got it (SUP-7)"
    assert "Thanks" in rendered.html and "onclick" not in rendered.html
    assert "<script>alert" not in rendered.html


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Support Ticket Created: SUP-1", "[SUP-1] Support Ticket Created"),
        ("Re: [sup-1] Printer", "[SUP-1] Re: Printer"),
        ("Printer", "[SUP-1] Printer"),
        ("Evil\r\nBcc: x@y", "[SUP-1] Evil Bcc: x@y"),
    ],
)
def test_the_subject_always_leads_with_the_bracketed_ticket_number(subject, expected):
    assert mail_subject(subject, "SUP-1") == expected


def test_header_values_lose_control_and_bidi_characters():
    assert header_safe("a\r\nb\x00c\u202ed\te") == "a b c d e"


@pytest.mark.django_db
def test_mentions_match_staff_by_email_or_full_name_only(tenant):
    alice = AgentFactory(name="Alice Agent", email="alice@helpdesk.test")
    AgentFactory(name="Al", email="al@helpdesk.test")
    CustomerFactory(name="Cust Omer", email="cust@customer.test")

    found = mentioned_staff(
        "Ping @ALICE AGENT, mail alice@helpdesk.test, not @Alfred, @cust@customer.test"
    )

    assert found == [alice]
    assert mentioned_staff("cc @al@helpdesk.test.") == [AgentFactory(email="al@helpdesk.test")]
