"""Right to left in real Chromium: the portal home and the desk ticket page in Arabic are
mirrored (issue #18). Screenshots (Arabic and, for comparison, English) go to test-artifacts/.

The layout mirrors through the pages' `dir="rtl"` and logical CSS properties; the test
measures where the brand, the portal navigation and the desk's queue sidebar land.
"""

from __future__ import annotations

import os
import re

import pytest
from django_tenants.utils import schema_context

from tests.browser.conftest import ARTIFACTS, CHROMIUM

PASSWORD = "pass-1234-word"  # the factories' password
WIDTH = 1280

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def people(live_tenant):
    from tests.factories import AgentFactory, CustomerFactory, TicketFactory

    with schema_context(live_tenant.tenant.schema_name):
        layla = AgentFactory(email="layla@desk.test", name="Layla Agent", language="ar")
        john = AgentFactory(email="john@desk.test", name="John Agent", language="en")
        customer = CustomerFactory(email="samir@customer.test", name="Samir")
        ticket = TicketFactory(requester=customer, subject="الطابعة لا تعمل")
    return layla, john, ticket


def _page(browser, *, locale: str):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale=locale)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def _centre(box: dict) -> float:
    return box["x"] + box["width"] / 2


def test_the_portal_home_mirrors_in_arabic(live_tenant, browser):
    arabic = _page(browser, locale="ar")
    arabic.goto(live_tenant.url + "/")
    english = _page(browser, locale="en-US")
    english.goto(live_tenant.url + "/")

    assert arabic.locator("html").get_attribute("dir") == "rtl"
    assert arabic.locator("html").get_attribute("lang") == "ar"
    assert english.locator("html").get_attribute("dir") == "ltr"
    arabic.screenshot(path=str(ARTIFACTS / "rtl-portal-home-ar.png"), full_page=True)
    english.screenshot(path=str(ARTIFACTS / "rtl-portal-home-en.png"), full_page=True)

    # English: brand on the left, navigation on the right; Arabic: the other way round.
    assert _centre(_box(english, ".portal-header .brand")) < WIDTH / 2
    assert _centre(_box(english, ".portal-nav")) > WIDTH / 2
    assert _centre(_box(arabic, ".portal-header .brand")) > WIDTH / 2
    assert _centre(_box(arabic, ".portal-nav")) < WIDTH / 2
    # The language switch names Arabic in Arabic and is set to it.
    assert arabic.locator("#portal-language").input_value() == "ar"
    assert arabic.errors == [] and english.errors == []


def _desk_login(browser, site, email: str, *, locale: str):
    page = _page(browser, locale=locale)
    page.goto(site.url + "/desk/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/desk/$"))
    return page


def test_the_desk_ticket_page_mirrors_in_arabic(live_tenant, people, browser):
    layla, john, ticket = people
    arabic = _desk_login(browser, live_tenant, layla.email, locale="en-US")  # her profile wins
    arabic.goto(live_tenant.url + f"/desk/tickets/{ticket.number}/")
    english = _desk_login(browser, live_tenant, john.email, locale="ar")  # his profile wins
    english.goto(live_tenant.url + f"/desk/tickets/{ticket.number}/")

    assert arabic.locator("html").get_attribute("dir") == "rtl"
    assert english.locator("html").get_attribute("dir") == "ltr"
    arabic.screenshot(path=str(ARTIFACTS / "rtl-desk-ticket-ar.png"), full_page=True)
    english.screenshot(path=str(ARTIFACTS / "rtl-desk-ticket-en.png"), full_page=True)

    # The queue sidebar sits at the start side: left in English, right in Arabic.
    assert _box(english, "#desk-sidebar")["x"] < WIDTH / 4
    sidebar = _box(arabic, "#desk-sidebar")
    assert sidebar["x"] + sidebar["width"] > WIDTH * 3 / 4
    assert _centre(_box(arabic, ".desk-header .brand")) > WIDTH / 2
    # "Back to queue" points to the start side: its arrow is turned round.
    arrow = arabic.locator("#back-to-queue .dir-arrow")
    assert "matrix(-1" in arrow.evaluate("node => getComputedStyle(node).transform")
    assert arabic.errors == [] and english.errors == []
