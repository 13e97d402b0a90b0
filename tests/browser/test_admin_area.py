"""Done-when of the admin area, in real Chromium: a supervisor who never saw Django admin sets
up an SLA profile with business hours and a holiday, an escalation to a named agent, and an
automation rule, entirely from the desk. Every screen is saved as a screenshot in light and
dark theme under test-artifacts/admin-area/.

Same in-process approach as the rule builder's browser test: Chromium's requests are routed
to the Django test client, inside the test's rolled-back transaction.
"""

import os

import pytest

from automation.models import Rule
from sla.models import SlaProfile
from tests.browser.test_automation_builder import ARTIFACTS, CHROMIUM, in_browser
from tests.factories import AgentFactory, CategoryFactory, SupervisorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

SHOTS = ARTIFACTS / "admin-area"


def shoot(page, name: str) -> None:
    """Screenshot the page as it is, in light and in dark."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=str(SHOTS / f"{name}-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")


def test_supervisor_sets_up_sla_escalation_and_a_rule_from_the_desk(tenant, tenant_client):
    supervisor = SupervisorFactory(name="Sam Supervisor")
    erin = AgentFactory(name="Erin Escalation")
    CategoryFactory(name="Hardware")
    client = tenant_client(supervisor)
    base = f"http://{tenant.domains.get(is_primary=True).domain}"

    def script(page):
        seen = {}
        page.goto(f"{base}/desk/")
        page.click("header >> text=Admin area")
        page.wait_for_selector("h1:has-text('Admin area')")
        shoot(page, "01-overview")

        page.click(".admin-nav >> text=SLA profiles")
        shoot(page, "02-sla-list")
        page.click("text=New SLA profile")
        page.fill("#id_name", "Gold support")
        page.fill("#id_first_response_time_hours", "1")
        page.fill("#id_first_response_time_minutes", "30")
        page.fill("#id_resolution_time_hours", "8")
        page.fill("#id_resolution_time_minutes", "0")
        page.select_option("#id_timezone", "Europe/Berlin")
        page.fill("input[name=monday_start]", "08:00")
        page.uncheck("#id_friday_enabled")
        page.fill("input[name=holiday-0-date]", "2026-12-25")
        page.check("input[name=holiday-0-yearly]")
        page.check("input[name=priorities][value=HIGH]")
        page.fill("input[name=rule-0-after_hours]", "2")
        page.fill("input[name=rule-0-after_minutes]", "15")
        page.select_option("#rule-0-assign", label="Erin Escalation")
        page.select_option("#rule-0-priority", label="Urgent")
        page.locator("fieldset.escalation-row").first.get_by_label("Erin Escalation").check()
        shoot(page, "03-sla-form")
        page.click("button:has-text('Save profile')")
        page.wait_for_selector(".messages")
        seen["sla_saved"] = page.inner_text(".messages")
        seen["sla_list"] = page.inner_text(".data-table")

        # A bad save stays on the screen with the errors next to the fields.
        page.click("text=New SLA profile")
        page.fill("#id_name", "Gold support")
        page.fill("#id_first_response_time_hours", "")
        page.fill("#id_first_response_time_minutes", "")
        page.click("button:has-text('Save profile')")
        page.wait_for_selector(".field-errors")
        seen["sla_errors"] = page.inner_text("main")
        shoot(page, "04-sla-errors")

        page.click(".admin-nav >> text=Automation rules")
        shoot(page, "05-automation-list")
        page.click("text=New rule")
        page.fill("#id_name", "Urgent hardware to Erin")
        page.select_option("#id_trigger_event", label="A ticket is created")
        page.click("text=+ Condition")
        leaf = page.locator(".leaf").first
        leaf.locator("select[aria-label=Field]").select_option(label="Category")
        leaf.locator("select[aria-label=Operator]").select_option(label="is")
        leaf.locator("select[aria-label=Value]").select_option(label="Hardware")
        page.click("text=+ Action")
        action = page.locator(".action").first
        action.locator("select[aria-label=Action]").select_option(label="Assign to an agent")
        action.locator(".param select").select_option(label=f"Erin Escalation <{erin.email}>")
        page.wait_for_selector("#live-status.ok")
        shoot(page, "06-automation-builder")
        page.click("button:has-text('Save rule')")
        page.wait_for_selector(".messages")
        seen["rule_saved"] = page.inner_text(".messages")
        page.click(".admin-nav >> text=Automation rules")
        seen["rule_list"] = page.inner_text("#rule-table")
        shoot(page, "07-automation-list-after")

        # The theme switch is remembered across pages.
        page.click("[data-theme-switch]")
        seen["theme_after_click"] = page.evaluate("document.documentElement.dataset.theme")
        page.goto(f"{base}/desk/admin/")
        seen["theme_after_reload"] = page.evaluate("document.documentElement.dataset.theme")
        return seen

    seen = in_browser(client, script)

    assert "Saved SLA profile “Gold support”" in seen["sla_saved"]
    assert "1 h 30 min" in seen["sla_list"]
    assert "Give a target in hours and minutes." in seen["sla_errors"]
    profile = SlaProfile.objects.get(name="Gold support")
    assert profile.business_hours["timezone"] == "Europe/Berlin"
    assert profile.business_hours["monday"]["start"] == "08:00"
    assert profile.business_hours["friday"] == {"enabled": False}
    assert profile.recurring_holidays == ["12-25"]
    assert profile.priorities == ["HIGH"]
    assert profile.escalation_rules == [
        {
            "after_minutes": 135,
            "notify_user_ids": [str(erin.pk)],
            "assign_to_id": str(erin.pk),
            "change_priority": "URGENT",
        }
    ]
    assert "Saved rule Urgent hardware to Erin" in seen["rule_saved"]
    assert "A ticket is created" in seen["rule_list"]
    rule = Rule.objects.get(name="Urgent hardware to Erin")
    assert rule.trigger_event == "ticket.created"
    assert rule.actions == [
        {"type": "assign_ticket", "parameters": {"assigned_to_id": str(erin.pk)}}
    ]
    assert seen["theme_after_click"] in ("dark", "light")
    assert seen["theme_after_reload"] == seen["theme_after_click"]
    for name in ("01-overview", "03-sla-form", "06-automation-builder"):
        for scheme in ("light", "dark"):
            assert (SHOTS / f"{name}-{scheme}.png").stat().st_size > 10_000


def test_every_admin_screen_in_both_themes_and_the_live_mail_preview(tenant, tenant_client):
    from tests.factories import AdminFactory

    admin = AdminFactory(name="Ada Admin")
    AgentFactory(name="Alice Agent")
    CategoryFactory(name="Hardware")
    client = tenant_client(admin)
    base = f"http://{tenant.domains.get(is_primary=True).domain}"
    screens = {
        "10-canned": "/desk/admin/canned/",
        "11-canned-new": "/desk/admin/canned/new/",
        "12-categories": "/desk/admin/categories/",
        "13-agents": "/desk/admin/agents/",
        "14-email": "/desk/admin/email/",
        "16-settings": "/desk/admin/settings/",
    }

    def script(page):
        for name, path in screens.items():
            page.goto(base + path)
            shoot(page, name)
        page.goto(base + "/desk/admin/email/ticket_created/")
        page.fill("#id_subject", "[{{ ticket_number }}] Thanks, {{ requester_name }}")
        page.wait_for_function(
            "document.querySelector('#email-preview').innerText.includes('Thanks, Carol Customer')"
        )
        shoot(page, "15-email-template")
        return page.inner_text("#email-preview")

    # wait_for_function evaluates a string, which the pages' CSP (no unsafe-eval) refuses.
    preview = in_browser(client, script, bypass_csp=True)
    assert "[SUP-2026-00000042] Thanks, Carol Customer" in preview
    for name in screens:
        assert (SHOTS / f"{name}-dark.png").exists()
