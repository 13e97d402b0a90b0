"""Portal accessibility and polish: rating order, error summary, autocomplete, one date
format, the same header on portal and KB pages."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from tests.factories import TicketFactory
from tickets import services
from tickets.models import Status


def _radios(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}" value="(\d)"', html)


def test_rating_options_run_from_1_to_5_in_the_dom_with_their_meaning(
    tenant_client, customer, agent
):
    ticket = TicketFactory(requester=customer)
    ticket = services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)

    html = tenant_client(customer).get(f"/tickets/{ticket.number}/").content.decode()

    for question in ("response_time", "solution", "team"):
        assert _radios(html, question) == ["1", "2", "3", "4", "5"]
    assert '<span\n        class="visually-hidden">, very poor</span>' in html
    assert ", excellent</span>" in html


def test_signup_and_account_fields_tell_the_browser_what_they_hold(tenant_client):
    html = tenant_client().get("/account/signup/").content.decode()

    assert re.search(r'<input type="text" name="name" autocomplete="name"', html)
    assert re.search(r'<input type="email" name="email" autocomplete="email"', html)
    assert html.count('autocomplete="new-password"') == 2
    login = tenant_client().get("/login/").content.decode()
    assert 'autocomplete="email"' in login and 'autocomplete="current-password"' in login
    forgot = tenant_client().get("/account/password/forgot/").content.decode()
    assert 'autocomplete="email"' in forgot


def test_an_invalid_form_gets_a_summary_linking_each_invalid_field(tenant_client, customer):
    response = tenant_client(customer).post("/tickets/new/", {"subject": "", "description": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "data-error-summary" in html and 'role="alert"' in html
    assert '<a href="#id_subject">Subject: This field is required.</a>' in html
    assert '<a href="#id_description">Description: This field is required.</a>' in html
    subject = re.search(r'<input type="text" name="subject"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in subject and 'aria-describedby="id_subject_error"' in subject
    description = re.search(r"<textarea[^>]*>", html).group(0)
    # Every id the field points to exists on the page (help text and error).
    for ref in re.search(r'aria-describedby="([^"]+)"', description).group(1).split():
        assert f'id="{ref}"' in html


def test_dates_read_the_same_on_every_portal_page(tenant_client, customer):
    when = timezone.make_aware(dt.datetime(2026, 12, 5, 20, 45), dt.UTC)
    ticket = TicketFactory(requester=customer)
    type(ticket).objects.filter(pk=ticket.pk).update(created_at=when, updated_at=when)

    html = tenant_client(customer).get(f"/tickets/{ticket.number}/").content.decode()

    assert "5 Dec 2026, 20:45" in html
    assert "p.m." not in html and "2026-12-05 20:45" not in html


def test_kb_pages_carry_the_portal_header(tenant_client, customer):
    client = tenant_client(customer)

    portal = client.get("/").content.decode()
    kb = client.get("/kb/").content.decode()

    def nav(html):
        found = re.search(r'<nav class="portal-nav".*?</nav>', html, re.S).group(0)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", found)

    assert nav(kb) == nav(portal)
    assert "My tickets" in nav(kb) and "Knowledge base" in nav(kb)


def test_check_your_email_pages_say_where_demo_mail_goes(tenant_client, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)

    html = tenant_client().get("/account/password/sent/").content.decode()

    assert str(tmp_path) in html and "/desk/admin/mail-outbox/" in html
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert str(tmp_path) not in tenant_client().get("/account/password/sent/").content.decode()
