"""Attachments in real Chromium: files dropped on and pasted into the desk's reply box are
sent with the reply, a blocked type is refused with a clear message, images show as
thumbnails that open in the viewer; suggestions as you type in the search box, by keyboard.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import base64
import io
import os
import re
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from tests.browser.conftest import CHROMIUM
from tests.browser.test_desk import log_in, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

# Builds a DataTransfer holding files in the page: [name, type, base64 bytes] each.
DATA_TRANSFER = """(files) => {
  const dt = new DataTransfer();
  for (const [name, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    dt.items.add(new File([bytes], name, { type }));
  }
  return dt;
}"""


def png_b64() -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 200), "orange").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def site(live_tenant):
    with override_settings(DESK_LIVE_POLL_SECONDS=30, DESK_QUEUE_POLL_SECONDS=30):
        yield live_tenant


@pytest.fixture
def crowd(site):
    from tests.factories import AgentFactory, CustomerFactory, TicketFactory

    with schema_context(site.tenant.schema_name):
        alice = AgentFactory(email="alice@desk.test", name="Alice Agent")
        carol = CustomerFactory(email="carol@customer.test", name="Carol Customer")
        ticket = TicketFactory(requester=carol, subject="Screen flickers")
        TicketFactory(requester=carol, subject="Invoice charged twice")
    return SimpleNamespace(alice=alice, carol=carol, ticket=ticket)


def test_drop_and_paste_files_into_the_reply_then_view_the_image(site, crowd, browser):
    from tickets.models import Attachment

    page = log_in(browser, site, crowd.alice.email)
    page.goto(f"{site.url}/desk/tickets/{crowd.ticket.number}/")
    expect(page.locator(".dropzone-hint")).to_contain_text("Drop files here")

    # A blocked type dropped on the form is refused by the server with the file's name.
    blocked = page.evaluate_handle(DATA_TRANSFER, [["fix.bat", "text/plain", "ZGVs"]])
    page.dispatch_event("#reply-form", "drop", {"dataTransfer": blocked})
    expect(page.locator(".dropzone-files li")).to_have_count(1)
    page.fill("#id_content", "Try this")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#reply .error")).to_contain_text("fix.bat is not accepted")

    # A text file dropped and a screenshot pasted into the message box.
    dropped = page.evaluate_handle(DATA_TRANSFER, [["log.txt", "text/plain", "RS00Mg=="]])
    page.dispatch_event("#reply-form", "drop", {"dataTransfer": dropped})
    page.evaluate(
        """([maker, files]) => {
          const dt = (new Function("return " + maker))()(files);
          const box = document.querySelector("#id_content");
          box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true }));
        }""",
        [DATA_TRANSFER, [["image.png", "image/png", png_b64()]]],
    )
    expect(page.locator(".dropzone-files li")).to_have_count(2)
    expect(page.locator(".dropzone-files")).to_contain_text("pasted-")
    page.fill("#id_content", "Here are the log and a screenshot")
    shot(page, "attachments-before-send")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#reply [data-sent]")).to_be_visible()

    with schema_context(site.tenant.schema_name):
        names = sorted(Attachment.objects.values_list("filename", flat=True))
    assert names[0] == "log.txt" and re.match(r"pasted-\d{8}-\d{6}\.png$", names[1])

    page.reload()
    thumb = page.locator("#ticket-files a.thumb").first
    expect(thumb.locator("img")).to_be_visible()
    thumb.click()
    viewer = page.locator("dialog.viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("img")).to_have_attribute("src", re.compile(r"/view/$"))
    shot(page, "attachments-viewer")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    assert page.errors == []


def test_search_suggestions_as_you_type_by_keyboard(site, crowd, browser):
    page = log_in(browser, site, crowd.alice.email)
    page.click("#desk-q")
    page.keyboard.type("invioce")
    suggestions = page.locator("#search-suggestions")
    expect(suggestions).to_contain_text("Did you mean")
    expect(suggestions).to_contain_text("Invoice charged twice")
    shot(page, "search-suggestions")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/desk/tickets/[A-Z0-9-]+/$"))
    expect(page.locator("#ticket-title")).to_have_text("Invoice charged twice")
    assert page.errors == []
