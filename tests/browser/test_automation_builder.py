"""The rule builder in real Chromium: compose from dropdowns, see inline errors, dry-run, save.

The browser talks to Django in-process and needs no live server: Playwright runs in a
worker thread and routes every request (`page.route`) to the main thread, which answers it
with the Django test client, inside the test's rolled-back transaction.
"""

import os
import queue
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from automation.models import Rule
from tests.factories import SupervisorFactory, TicketFactory
from tests.factories.automation import RuleFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FORWARDED_HEADERS = ("hx-request", "hx-target", "hx-current-url", "x-csrftoken")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


def django_answer(client, method, url, headers, body):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    meta = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in headers.items()
        if name.lower() in FORWARDED_HEADERS
    }
    if method == "GET":
        response = client.get(path, **meta)
    else:
        content_type = headers.get("content-type", "")
        response = client.generic(method, path, data=body or b"", content_type=content_type, **meta)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, dict(response.items()), content


def in_browser(client, script, *, bypass_csp: bool = False):
    """Run `script(page)` in Chromium (worker thread); serve its requests from here.

    `bypass_csp` lets a test inject its own tooling (axe-core, polling predicates) into pages
    whose Content Security Policy forbids inline and evaluated scripts."""
    from playwright.sync_api import sync_playwright

    requests: queue.Queue = queue.Queue()
    outcome: dict = {}

    def route(route):
        reply: queue.Queue = queue.Queue()
        request = route.request
        requests.put(
            (request.method, request.url, request.headers, request.post_data_buffer, reply)
        )
        status, headers, body = reply.get(timeout=30)
        route.fulfill(status=status, headers=headers, body=body)

    def worker():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(
                    viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
                )
                page_errors: list = []
                page.on("pageerror", lambda exc: page_errors.append(str(exc)))
                page.route("**/*", route)
                outcome["result"] = script(page)
                outcome["page_errors"] = page_errors
                browser.close()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc
        finally:
            requests.put(None)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    while (item := requests.get(timeout=120)) is not None:
        method, url, headers, body, reply = item
        reply.put(django_answer(client, method, url, headers, body))
    thread.join(timeout=30)
    if "error" in outcome:
        raise outcome["error"]
    assert outcome["page_errors"] == []
    return outcome["result"]


def test_compose_validate_dry_run_and_save_a_rule(tenant, tenant_client):
    client = tenant_client(SupervisorFactory())
    ticket = TicketFactory(subject="Please refund invoice 7", priority="HIGH")
    base = f"http://{tenant.domains.get(is_primary=True).domain}"
    number = ticket.number

    def script(page):
        seen = {}
        page.goto(f"{base}/desk/admin/automation/new/")
        page.fill("#id_name", "Refunds to billing")
        page.click("text=+ Condition")
        leaf = page.locator(".leaf").first
        leaf.locator("select[aria-label=Field]").select_option("subject")
        leaf.locator("select[aria-label=Operator]").select_option("matches")
        leaf.locator("input[aria-label=Value]").fill("(a+)+")
        page.click("text=+ Group")
        group = page.locator(".group:not(.root)").first
        group.locator("select[aria-label=Field]").first.select_option("priority")
        group.locator("select[aria-label=Operator]").first.select_option("gte")
        group.locator("select[aria-label=Value]").first.select_option("HIGH")
        page.click("text=+ Action")
        action = page.locator(".action").first
        action.locator("select[aria-label=Action]").select_option("add_tags")
        # Live validation marks both bad parts where they are.
        page.wait_for_selector("#live-status.error")
        seen["leaf_error"] = leaf.locator(".node-errors").inner_text()
        seen["param_error"] = action.locator(".param .node-errors").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / "automation-builder-inline-errors.png"), full_page=True
        )

        leaf.locator("input[aria-label=Value]").fill(r"\brefund\b")
        action.locator(".param input").fill("billing, refund")
        page.wait_for_selector("#live-status.ok")
        page.fill("#id_ticket", number)
        page.click("#dry-run-button")
        page.wait_for_selector(".dry-run .verdict")
        seen["verdict"] = page.inner_text(".dry-run .verdict")
        seen["plan"] = page.inner_text(".dry-run .plan")
        page.screenshot(path=str(ARTIFACTS / "automation-builder-dry-run.png"), full_page=True)
        page.click("button:has-text('Save rule')")
        page.wait_for_selector(".messages")
        seen["saved"] = page.inner_text(".messages")
        return seen

    seen = in_browser(client, script)

    assert "Nested quantifiers" in seen["leaf_error"]
    assert "required" in seen["param_error"]
    assert "Would match" in seen["verdict"]
    assert "Add tags billing, refund" in seen["plan"]
    assert "Saved rule Refunds to billing" in seen["saved"]
    rule = Rule.objects.get()
    # "+ Group" under an all-group starts an any-group.
    assert rule.conditions == [
        {"field": "subject", "operator": "matches", "value": r"\brefund\b"},
        {"any": [{"field": "priority", "operator": "gte", "value": "HIGH"}]},
    ]
    assert rule.actions == [{"type": "add_tags", "parameters": {"tags": ["billing", "refund"]}}]
    ticket.refresh_from_db()
    assert ticket.tags == []  # the dry run changed nothing


def test_list_reorders_and_toggles_with_htmx(tenant, tenant_client):
    client = tenant_client(SupervisorFactory())
    RuleFactory(name="Alpha rule", position=0)
    RuleFactory(name="Beta rule", position=1)
    base = f"http://{tenant.domains.get(is_primary=True).domain}"

    def script(page):
        page.goto(f"{base}/desk/admin/automation/")
        page.click("button[aria-label='Move Beta rule up']")
        page.wait_for_function(
            "document.querySelector('table.auto-rules tbody tr').innerText.includes('Beta rule')"
        )
        page.locator("tr", has_text="Alpha rule").locator("button.toggle").click()
        page.wait_for_selector("tr.inactive")

    in_browser(client, script)

    assert list(Rule.objects.order_by("position").values_list("name", "is_active")) == [
        ("Beta rule", True),
        ("Alpha rule", False),
    ]
