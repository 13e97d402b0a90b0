"""The customer portal in real Chromium (Playwright driving Debian's /usr/bin/chromium).

A customer signs up, verifies the address from the mail, (with the KB app: finds a suggested
article), files a ticket with an attachment, sees the agent's reply but not the internal note,
replies, marks the ticket resolved and rates it; a second customer who tries the first one's
ticket and attachment URLs gets 404. Screenshots go to test-artifacts/ (git-ignored).

Live-server tests are transactional: pytest-django flushes the public tables after each one,
so the tenant and domain rows are restored here (the schemas stay), and the tenant schema's
tables are snapshotted before the test and put back after it, so nothing leaks into other tests.
"""

from __future__ import annotations

import os
import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from tests.browser.conftest import ARTIFACTS, CHROMIUM

PASSWORD = "a-Long-unusual-passphrase-77"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=True)


def status_of(page, url: str) -> int:
    """GET `url` from inside the page (Chromium resolves *.localhost; Playwright's own HTTP
    client does not), with the page's cookies."""
    return page.evaluate("url => fetch(url, {credentials: 'same-origin'}).then(r => r.status)", url)


def link_in_last_mail(pattern: str) -> str:
    body = mail.outbox[-1].body
    return re.search(rf"https?://\S*{pattern}\S*", body).group(0)


def kb_article():
    """A published article the suggestions can offer."""
    from knowledgebase.models import Article

    return Article.objects.create(
        title="Printer shows error E-42",
        slug="printer-error-e42",
        body="Open the tray, remove the jammed sheet, restart the printer.",
        excerpt="Clear the paper jam and restart.",
        status="PUBLISHED",
    )


# --- The walk-through ---


def test_customer_journey_through_the_portal(live_tenant, browser):
    from tests.factories import AgentFactory
    from tests.factories.portal import VerifiedCustomerFactory
    from tickets import services
    from tickets.models import Attachment, MessageType, SatisfactionRating, Status, Ticket

    base = live_tenant.url
    with schema_context(live_tenant.tenant.schema_name):
        agent = AgentFactory(email="alice@helpdesk.test", name="Alice Agent")
        article = kb_article()
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()

    # Sign up, then verify from the mail (which also logs the customer in).
    page.goto(base + "/account/signup/")
    page.fill("#id_name", "Nina Newcomer")
    page.fill("#id_email", "nina@newco.test")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    shot(page, "01-signup")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=Check your email")
    page.goto(link_in_last_mail("/account/verify/"))
    page.wait_for_selector("text=your email address is confirmed")
    shot(page, "02-verified-home")

    # Start a request; a KB suggestion appears and opening it is recorded.
    page.goto(base + "/tickets/new/")
    page.fill("#id_subject", "Printer error E-42")
    suggestion = page.wait_for_selector("#kb-suggestions a", timeout=5000)
    shot(page, "03-suggestions")
    suggestion.click()
    page.wait_for_load_state()
    assert "printer-error-e42" in page.url
    page.go_back()
    page.wait_for_selector("#id_subject")
    assert page.input_value("#id_subject") == "Printer error E-42"  # draft kept
    page.fill("#id_description", "The printer on floor 2 shows **E-42** after page 2.")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "printer-log.txt", "mimeType": "text/plain", "buffer": b"E-42 09:10"}],
    )
    shot(page, "04-new-ticket")
    page.click("text=Submit request")
    page.wait_for_selector("text=was received")
    shot(page, "05-ticket-filed")

    with schema_context(live_tenant.tenant.schema_name):
        ticket = Ticket.objects.get(requester__email="nina@newco.test")
        attachment = Attachment.objects.get(message__ticket=ticket)
        assert ticket.channel == "PORTAL"
        # The opened suggestion is in the search analytics; the ticket filed after it
        # means this search did not deflect.
        from knowledgebase.models import SearchRecord

        search = SearchRecord.objects.get(source="PORTAL")
        assert (search.opened_article_id, search.ticket_id) == (article.pk, ticket.pk)
        services.message_add(ticket=ticket, actor=agent, content="Please open tray 2 and retry.")
        services.message_add(
            ticket=ticket,
            actor=agent,
            content="INTERNAL: toner supplier is late",
            message_type=MessageType.INTERNAL_NOTE,
        )
    ticket_url = f"{base}/tickets/{ticket.number}/"
    attachment_url = f"{base}/attachments/{attachment.pk}/"

    # The agent's reply shows, the internal note does not; the file downloads.
    page.goto(ticket_url)
    page.wait_for_selector("text=Please open tray 2 and retry.")
    assert "INTERNAL: toner supplier is late" not in page.content()
    assert page.locator(".message-body strong", has_text="E-42").count() == 1
    assert status_of(page, attachment_url) == 200

    # Reply, mark resolved, rate.
    page.fill("#id_content", "Tray 2 was it. Thanks!")
    page.click("text=Send reply")
    page.wait_for_selector("text=Your reply was sent.")
    page.click("text=Mark as resolved")
    page.wait_for_selector("text=How did we do?")
    for question in ("response_time", "solution", "team"):  # 1 to 5: the last choice is 5
        page.click(f".stars label[for=id_{question}_4]")
    page.fill("#id_comment", "Fast and friendly.")
    shot(page, "06-rating")
    page.click("text=Send rating")
    page.wait_for_selector("text=You rated this request 5 out of 5.")
    shot(page, "07-rated")
    with schema_context(live_tenant.tenant.schema_name):
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        rating = SatisfactionRating.objects.get(ticket=ticket)
        assert (rating.rating, rating.comment) == (5, "Fast and friendly.")
        assert (rating.response_time, rating.solution, rating.team) == (5, 5, 5)
        assert list(ticket.messages.values_list("message_type", flat=True)) == [
            MessageType.CUSTOMER_REPLY,
            MessageType.STAFF_REPLY,
            MessageType.INTERNAL_NOTE,
            MessageType.CUSTOMER_REPLY,
        ]

    page.goto(base + "/tickets/?status=closed")
    page.wait_for_selector(f"text={ticket.number}")
    shot(page, "07b-my-tickets-closed")

    # The same ticket on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.add_cookies(context.cookies())
    phone_page = phone.new_page()
    phone_page.goto(ticket_url)
    shot(phone_page, "08-ticket-on-phone")
    phone.close()

    # A second customer tries the first one's URLs.
    with schema_context(live_tenant.tenant.schema_name):
        VerifiedCustomerFactory(email="mallory@elsewhere.test")
    intruder = browser.new_context()
    intruder_page = intruder.new_page()
    intruder_page.goto(base + "/login/")
    intruder_page.fill("#id_username", "mallory@elsewhere.test")
    intruder_page.fill("#id_password", "pass-1234-word")
    intruder_page.click("button[type=submit]")
    intruder_page.wait_for_selector("text=My tickets")
    response = intruder_page.goto(ticket_url)
    shot(intruder_page, "09-intruder-404")
    assert response.status == 404
    assert "Printer error E-42" not in intruder_page.content()
    assert status_of(intruder_page, attachment_url) == 404
    intruder.close()
    context.close()
