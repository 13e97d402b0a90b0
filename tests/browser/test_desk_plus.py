"""New ticket, merge dialog, customer profile in real Chromium (Playwright + Debian's
/usr/bin/chromium). Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.test_desk import log_in, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def site(live_tenant):
    with override_settings(DESK_LIVE_POLL_SECONDS=30, DESK_QUEUE_POLL_SECONDS=30):
        yield live_tenant


@pytest.fixture
def crowd(site):
    from tests.factories import AgentFactory, CustomerFactory, TicketFactory
    from tickets.services.customers import customer_create, organization_create

    with schema_context(site.tenant.schema_name):
        alice = AgentFactory(email="alice@desk.test", name="Alice Agent")
        org = organization_create(actor=alice, name="Wayne Enterprises", domains=["wayne.example"])
        bruce = customer_create(actor=alice, email="bruce@wayne.example", name="Bruce Wayne")
        carol = CustomerFactory(email="carol@customer.test", name="Carol Customer")
        dave = CustomerFactory(email="dave@other.test", name="Dave Other")
        carols = TicketFactory(requester=carol, subject="Printer jammed", content="Carol secret")
        daves = TicketFactory(requester=dave, subject="Printer broken", content="Dave secret")
    return SimpleNamespace(
        alice=alice, org=org, bruce=bruce, carol=carol, dave=dave, carols=carols, daves=daves
    )


def test_new_ticket_by_keyboard_for_a_customer_found_by_organization(site, crowd, browser):
    from tickets.models import MessageType, Ticket

    page = log_in(browser, site, crowd.alice.email)
    page.keyboard.press("n")
    page.wait_for_url(re.compile(r"/desk/tickets/new/$"))
    page.fill("#requester-q", "wayne")
    expect(page.locator("#requester-results .pick-item")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#requester-label")).to_contain_text("Bruce Wayne")
    expect(page.locator("#id_subject")).to_be_focused()
    page.select_option("#id_channel", "PHONE")
    page.fill("#id_subject", "Batmobile will not start")
    page.fill("#id_content", "Called at 9:00.\nEngine light on.")
    page.select_option("#id_priority", "HIGH")
    shot(page, "new-ticket")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/desk/tickets/[A-Z0-9-]+/$"))
    expect(page.locator("#ticket-title")).to_have_text("Batmobile will not start")
    expect(page.locator("#requester-link")).to_have_text("Bruce Wayne")
    page.click("#requester-link")
    expect(page.locator("h1")).to_have_text("Bruce Wayne")
    expect(page.locator("main")).to_contain_text("Batmobile will not start")
    shot(page, "customer-profile")
    assert page.errors == []

    with schema_context(site.tenant.schema_name):
        ticket = Ticket.objects.get(subject="Batmobile will not start")
        assert ticket.requester == crowd.bruce and ticket.channel == "PHONE"
        assert ticket.priority == "HIGH"
        first = ticket.messages.get()
        assert first.message_type == MessageType.CUSTOMER_REPLY
        assert first.content.replace("\r\n", "\n") == "Called at 9:00.\nEngine light on."


def test_bulk_merge_opens_the_dialog_warns_and_merges_as_notes(site, crowd, browser):
    from tickets.models import Message, Ticket

    page = log_in(browser, site, crowd.alice.email)
    page.goto(site.url + "/desk/queue/open/")
    page.check(f"input[name=tickets][value='{crowd.carols.pk}']")
    page.check(f"input[name=tickets][value='{crowd.daves.pk}']")
    page.select_option("#bulk-action", "merge")
    page.click("#bulk-form button[type=submit]")
    dialog = page.locator("#desk-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#merge-confirm")).to_be_disabled()
    with schema_context(site.tenant.schema_name):
        assert not Ticket.objects.filter(merged_into__isnull=False).exists()

    dialog.locator(f"input[name=target][value='{crowd.daves.pk}']").check()
    expect(dialog.locator("#merge-warning")).to_contain_text("Different customers!")
    expect(dialog.locator(f"[data-merge-source='{crowd.carols.number}']")).to_contain_text(
        "becomes an internal note"
    )
    expect(dialog.locator("#merge-confirm")).to_be_enabled()
    shot(page, "merge-dialog")
    dialog.locator("#merge-confirm").click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{crowd.daves.number}/$"))
    expect(page.locator(".messages")).to_contain_text(f"Merged 1 ticket into {crowd.daves.number}")
    assert page.errors == []

    with schema_context(site.tenant.schema_name):
        carols = Ticket.objects.get(pk=crowd.carols.pk)
        assert carols.merged_into_id == crowd.daves.pk
        moved = Message.objects.filter(moved_from=carols)
        assert set(moved.values_list("message_type", flat=True)) == {"INTERNAL_NOTE"}
        assert not Ticket.objects.get(pk=crowd.daves.pk).cc.filter(pk=crowd.carol.pk).exists()


def test_merge_into_from_the_ticket_page_by_number(site, crowd, browser):
    from tests.factories import TicketFactory
    from tickets.models import Ticket

    with schema_context(site.tenant.schema_name):
        second = TicketFactory(requester=crowd.carol, subject="Printer jammed again")
    page = log_in(browser, site, crowd.alice.email)
    page.goto(site.url + f"/desk/tickets/{second.number}/")
    page.keyboard.press("m")
    dialog = page.locator("#desk-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#merge-add").fill(crowd.carols.number)
    dialog.locator("#merge-add").press("Enter")
    expect(dialog.locator(f"input[name=target][value='{crowd.carols.pk}']")).to_be_visible()
    dialog.locator(f"input[name=target][value='{crowd.carols.pk}']").check()
    expect(dialog).to_contain_text("same requester")
    expect(dialog.locator("#merge-warning")).to_have_count(0)
    dialog.locator("#merge-confirm").click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{crowd.carols.number}/$"))
    with schema_context(site.tenant.schema_name):
        assert Ticket.objects.get(pk=second.pk).merged_into_id == crowd.carols.pk
    assert page.errors == []


def test_macro_by_keyboard_then_mention_notifies_a_colleague(site, crowd, browser):
    from desk.models import Notification
    from tests.factories import AgentFactory
    from tests.factories.desk import CannedResponseFactory
    from tickets.models import Ticket

    with schema_context(site.tenant.schema_name):
        bob = AgentFactory(email="bob@desk.test", name="Bob Agent")
        CannedResponseFactory(
            title="Need logs",
            shortcut="logs",
            content="Thanks,\nplease send the logs.",
            actions={"status": "WAITING_ON_CUSTOMER", "tags": ["logs"]},
        )
    page = log_in(browser, site, crowd.alice.email)
    page.goto(site.url + f"/desk/tickets/{crowd.carols.number}/")
    page.focus("#canned-q")
    page.keyboard.type("logs")
    expect(page.locator("#canned-results .canned-item")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_content")).to_have_value("Thanks,\nplease send the logs.")
    expect(page.locator("#macro-chip")).to_contain_text("Need logs")
    expect(page.locator("#canned-results .canned-item")).to_have_count(0)
    page.click("#reply-send")
    expect(page.locator("#reply [data-sent]")).to_have_text("Reply sent.")
    expect(page.locator("#ticket-live .badges .status")).to_have_text("Waiting on customer")
    expect(page.locator("#ticket-live .msg-staff_reply .msg-body")).to_contain_text("Thanks,")
    assert "<br" in page.inner_html("#ticket-live .msg-staff_reply .msg-body")

    # A note mentioning Bob with the autocomplete.
    page.keyboard.press("Escape")
    page.locator("body").click()
    page.keyboard.press("i")
    page.keyboard.type("Please look @bo")
    expect(page.locator("#mention-results [data-mention]")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_content")).to_have_value("Please look @bob@desk.test ")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".msg-internal_note")).to_contain_text("Please look @bob@desk.test")
    assert page.errors == []

    with schema_context(site.tenant.schema_name):
        ticket = Ticket.objects.get(pk=crowd.carols.pk)
        assert ticket.status == "WAITING_ON_CUSTOMER" and "logs" in ticket.tags
        assert Notification.objects.filter(user=bob, kind="mention").count() == 1

    bobs = log_in(browser, site, "bob@desk.test")
    expect(bobs.locator("#bell-count")).to_have_text("1")
    bobs.click("#bell")
    bobs.click(f"text={crowd.carols.number}")
    bobs.wait_for_url(re.compile(rf"/desk/tickets/{crowd.carols.number}/$"))
    expect(bobs.locator("#bell-count")).to_have_count(0)


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)], ids=["tablet", "phone"])
def test_tablet_and_phone_read_open_reply_and_set_status(site, crowd, browser, size):
    from tickets.models import Ticket

    width, height = size
    page = log_in(browser, site, crowd.alice.email, width=width)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(site.url + "/desk/queue/open/")
    row = page.locator(f"#queue-table tr[data-number='{crowd.carols.number}']")
    expect(row.locator(".col-subject")).to_be_visible()
    expect(row.locator(".row-extra")).to_contain_text(crowd.carols.number)
    if width > 700:
        expect(row.locator(".col-requester")).to_be_visible()
        expect(row.locator(".col-updated")).to_be_visible()
        page.click("[data-sidebar-toggle]")
        expect(page.locator(".desk-sidebar")).to_be_hidden()
        page.click("[data-sidebar-toggle]")
        expect(page.locator(".desk-sidebar")).to_be_visible()
    else:
        expect(page.locator(".desk-sidebar")).to_be_hidden()
        page.click("[data-sidebar-toggle]")
        expect(page.locator(".desk-sidebar")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"desk-queue-{width}.png"), full_page=True)
    row.locator(".col-subject a").click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{crowd.carols.number}/$"))
    page.fill("#id_content", "Replied from a small screen.")
    page.select_option("#id_status_after", "WAITING_ON_CUSTOMER")
    page.click("#reply-send")
    expect(page.locator("#reply [data-sent]")).to_have_text("Reply sent.")
    expect(page.locator("#ticket-live .badges .status")).to_have_text("Waiting on customer")
    page.screenshot(path=str(ARTIFACTS / f"desk-ticket-{width}.png"), full_page=True)
    assert page.errors == []
    with schema_context(site.tenant.schema_name):
        assert Ticket.objects.get(pk=crowd.carols.pk).status == "WAITING_ON_CUSTOMER"
