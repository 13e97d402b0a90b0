"""The agent desk in real Chromium (Playwright driving Debian's /usr/bin/chromium).

An agent logs in, opens Unassigned, takes a ticket, replies with a canned response and sets
Waiting on customer, adds an internal note, bulk-assigns three tickets and saves a view; a
ticket that another browser (a second agent) updates refreshes without a reload.
Screenshots of the queue, the ticket page and the dashboard go to test-artifacts/.

Live-server tests are transactional: pytest-django flushes the public tables (tenants,
domains) after each one while the schemas stay. The tenant and domain rows are put back
before each test and after the module's last flush; the tenant schema's tables are
snapshotted before each test and restored after it, so nothing leaks into other tests.
"""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from tests.browser.conftest import ARTIFACTS, CHROMIUM

PASSWORD = "pass-1234-word"  # the factories' password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


# --- Fixtures -------------------------------------------------------------------------


@pytest.fixture
def desk_site(live_tenant):
    """Tenant A at http://alpha.test.localhost:<port>; desk pages poll every second."""
    with override_settings(DESK_LIVE_POLL_SECONDS=1, DESK_QUEUE_POLL_SECONDS=1):
        yield live_tenant


@pytest.fixture
def people(desk_site):
    from tests.factories import AgentFactory, CustomerFactory, TicketFactory
    from tests.factories.desk import CannedResponseFactory

    with schema_context(desk_site.tenant.schema_name):
        alice = AgentFactory(email="alice@desk.test", name="Alice Agent")
        bob = AgentFactory(email="bob@desk.test", name="Bob Agent")
        carol = CustomerFactory(email="carol@customer.test", name="Carol Customer")
        subjects = [
            "Printer jammed on floor 3",
            "Invoice charged twice",
            "Cannot log in",
            "Export to CSV",
            "Slow dashboard",
            "VPN drops every hour",
        ]
        tickets = [
            TicketFactory(requester=carol, subject=s, priority=p)
            for s, p in zip(
                subjects, ["HIGH", "URGENT", "MEDIUM", "LOW", "MEDIUM", "HIGH"], strict=True
            )
        ]
        CannedResponseFactory(
            title="Greeting",
            shortcut="hello",
            content="Hi {{requester.first_name}}, thanks for reporting {{ticket.number}}. "
            "We are on it. {{agent.name}}",
        )
    return SimpleNamespace(alice=alice, bob=bob, carol=carol, tickets=tickets)


def log_in(browser, site, email: str, *, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site.url + "/desk/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/desk/$"))
    page.errors = errors
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"desk-{name}.png"), full_page=True)


# --- The walk -------------------------------------------------------------------------


def test_agent_works_the_queue(desk_site, people, browser):
    from desk.models import SavedView
    from tickets.models import MessageType, Ticket

    page = log_in(browser, desk_site, people.alice.email)
    first = people.tickets[0]

    # Open Unassigned; take the first ticket (j, Enter, then "a" for assign to me).
    page.click(".desk-sidebar >> text=Unassigned")
    page.wait_for_url(re.compile(r"/desk/queue/unassigned/"))
    expect(page.locator("#queue-table tbody tr")).to_have_count(6)
    shot(page, "queue")
    page.click(f"text={first.subject}")
    page.wait_for_url(re.compile(rf"/desk/tickets/{first.number}/"))
    page.keyboard.press("a")
    # The picker shows status and load after the name ("Alice Agent — offline, 1/∞").
    expect(page.locator("#prop-assignee option:checked")).to_have_text(re.compile("^Alice Agent"))
    expect(page.locator("#sidebar-views [data-view=mine] .count")).to_have_text("1")

    # Reply with a canned response (placeholders filled) and set Waiting on customer.
    page.fill("#canned-q", "greet")
    expect(page.locator("[data-canned-insert]")).to_have_count(1)
    page.click("[data-canned-insert]")
    expect(page.locator("#id_content")).to_have_value(
        f"Hi Carol, thanks for reporting {first.number}. We are on it. Alice Agent"
    )
    page.select_option("#id_status_after", "WAITING_ON_CUSTOMER")
    page.click("#reply-send")
    expect(page.locator("#reply [data-sent]")).to_have_text("Reply sent.")
    expect(page.locator("#ticket-live .badges .status")).to_have_text("Waiting on customer")

    # An internal note with the keyboard: i, type, Ctrl+Enter.
    page.keyboard.press("i")
    page.keyboard.type("Called Carol, printer model is LX-200.")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".msg-internal_note")).to_contain_text("printer model is LX-200")
    shot(page, "ticket")

    # Bulk-assign three of the remaining unassigned tickets to Bob.
    page.goto(desk_site.url + "/desk/queue/unassigned/")
    for ticket in people.tickets[1:4]:
        page.check(f"input[name=tickets][value='{ticket.pk}']")
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    page.select_option("#bulk-action", "assign")
    page.select_option("#bulk-assignee", label="Bob Agent")
    page.click("#bulk-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Assigned 3 tickets")
    expect(page.locator("#queue-table tbody tr")).to_have_count(2)

    # Save a view: all open, high and urgent only.
    page.goto(desk_site.url + "/desk/queue/open/")
    page.click(".filters summary")
    page.check("input[name=priority][value=HIGH]")
    page.check("input[name=priority][value=URGENT]")
    page.click(".filter-form button[type=submit]")
    expect(page.locator("#queue-table tbody tr")).to_have_count(3)
    page.fill("#save-view-name", "Hot tickets")
    page.check(".save-view input[name=is_shared]")
    page.click(".save-view button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Hot tickets")
    expect(page.locator(".desk-sidebar")).to_contain_text("Hot tickets")
    expect(page.locator("#queue-table tbody tr")).to_have_count(3)

    page.goto(desk_site.url + "/desk/")
    expect(page.locator("[data-kpi=my_open]")).to_have_text("1")
    expect(page.locator("#sidebar-views [data-view=mine] .count")).to_have_text("1")
    shot(page, "dashboard")
    page.set_viewport_size({"width": 820, "height": 1100})
    page.goto(desk_site.url + f"/desk/tickets/{first.number}/")
    shot(page, "ticket-tablet")
    assert page.errors == []

    with schema_context(desk_site.tenant.schema_name):
        first = Ticket.objects.get(pk=first.pk)
        assert first.status == "WAITING_ON_CUSTOMER" and first.assignee == people.alice
        kinds = list(first.messages.values_list("message_type", flat=True))
        assert kinds.count(MessageType.STAFF_REPLY) == 1
        assert kinds.count(MessageType.INTERNAL_NOTE) == 1
        bobs = Ticket.objects.filter(assignee=people.bob).values_list("pk", flat=True)
        assert set(bobs) == {t.pk for t in people.tickets[1:4]}
        view = SavedView.objects.get(name="Hot tickets")
        assert view.is_shared and set(view.filters["priority"]) == {"HIGH", "URGENT"}


def test_ticket_refreshes_when_another_browser_updates_it(desk_site, people, browser):
    ticket = people.tickets[0]
    alice = log_in(browser, desk_site, people.alice.email)
    alice.goto(desk_site.url + f"/desk/tickets/{ticket.number}/")
    alice.evaluate("window.__noReload = true")
    alice.fill("#id_content", "Alice is still typing")

    bob = log_in(browser, desk_site, people.bob.email)
    bob.goto(desk_site.url + f"/desk/tickets/{ticket.number}/")
    expect(alice.locator("#presence")).to_contain_text("Bob Agent is viewing", timeout=15000)
    expect(bob.locator("#presence")).to_contain_text("Alice Agent is typing", timeout=15000)
    bob.fill("#id_content", "Bob found the **paper jam**.")
    bob.select_option("#id_status_after", "ON_HOLD")
    bob.click("#reply-send")
    expect(bob.locator("#reply [data-sent]")).to_be_visible()

    # Alice's page shows Bob's reply and the new status without a reload, keeps her text,
    # and tells her what changed since she opened it.
    expect(alice.locator("#ticket-live")).to_contain_text("Bob found the paper jam.")
    expect(alice.locator("#ticket-live .badges .status")).to_have_text("On hold")
    expect(alice.locator(".changed-banner")).to_contain_text("Bob Agent replied")
    expect(alice.locator("#prop-status option:checked")).to_have_text("On hold")
    assert alice.evaluate("window.__noReload") is True
    assert alice.input_value("#id_content") == "Alice is still typing"

    # Sending now warns first, then goes through on the second press.
    alice.click("#reply-send")
    expect(alice.locator(".collision")).to_contain_text("Bob Agent replied")
    alice.click("#reply-send")
    expect(alice.locator("#reply [data-sent]")).to_be_visible()
    assert alice.errors == [] and bob.errors == []


def test_queue_refreshes_and_keeps_the_selection(desk_site, people, browser):
    from tests.factories import TicketFactory

    page = log_in(browser, desk_site, people.alice.email)
    page.goto(desk_site.url + "/desk/queue/unassigned/")
    page.evaluate("window.__noReload = true")
    page.check(f"input[name=tickets][value='{people.tickets[2].pk}']")
    page.keyboard.press("j")
    with schema_context(desk_site.tenant.schema_name):
        fresh = TicketFactory(requester=people.carol, subject="Brand new: fax on fire")
    expect(page.locator("#queue-table")).to_contain_text("Brand new: fax on fire")
    expect(page.locator("#queue-table tbody tr")).to_have_count(7)
    expect(page.locator("#sidebar-views [data-view=unassigned] .count")).to_have_text("7")
    assert page.is_checked(f"input[name=tickets][value='{people.tickets[2].pk}']")
    assert page.locator("#queue-table tbody tr.cursor").count() == 1
    assert page.evaluate("window.__noReload") is True
    assert fresh.number in page.inner_text("#queue-table")


def test_draft_survives_a_reload(desk_site, people, browser):
    ticket = people.tickets[1]
    page = log_in(browser, desk_site, people.alice.email)
    page.goto(desk_site.url + f"/desk/tickets/{ticket.number}/")
    page.fill("#id_content", "Half an answer that must not be lost")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")
    page.reload()
    expect(page.locator("#id_content")).to_have_value("Half an answer that must not be lost")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()


def test_help_center_articles_arrive_after_the_ticket_page(desk_site, people, browser):
    """The knowledge base's sidebar articles are not in the page itself: the slot asks for
    them once the page has loaded (htmx) and puts them in its place."""
    from knowledgebase.models import Article

    with schema_context(desk_site.tenant.schema_name):
        Article.objects.create(
            title="Clearing printer jams",
            slug="printer-jams",
            body="Printer jammed? Open the printer tray and remove the jammed paper.",
            status="PUBLISHED",
            visibility="PUBLIC",
        )
    page = log_in(browser, desk_site, people.alice.email)
    page.goto(desk_site.url + f"/desk/tickets/{people.tickets[0].number}/")
    articles = page.locator(".kb-ticket-suggestions")
    expect(articles.locator("a[href='/kb/printer-jams/']")).to_have_text("Clearing printer jams")
    expect(page.locator(".kb-ticket-suggestions-slot")).to_have_count(0)
    assert page.errors == []
