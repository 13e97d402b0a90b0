"""Portal accessibility in real Chromium: arrow keys on the rating move up the scale as seen,
a failed form puts focus on the first invalid field (visible), and a "No" on an article asks
what was missing with focus in the box."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_automation_builder import ARTIFACTS, CHROMIUM, in_browser
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tests.factories.knowledgebase import ArticleFactory
from tickets.models import SatisfactionRating, Status
from tickets.services import ticket_status_change

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight; }"""


def test_rating_by_keyboard_gives_the_score_the_eye_sees(tenant, tenant_client):
    customer = CustomerFactory(email_verified=True)
    ticket = TicketFactory(requester=customer, subject="Printer")
    ticket = ticket_status_change(ticket=ticket, actor=AgentFactory(), status=Status.RESOLVED)
    base = f"http://{tenant.domains.get(is_primary=True).domain}"

    def script(page):
        page.goto(f"{base}/tickets/{ticket.number}/")
        page.focus("#id_response_time_0")  # "1"
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        label = page.evaluate(
            "document.querySelector(`label[for='${document.activeElement.id}']`).innerText"
        )
        page.check("#id_solution_4")
        page.check("#id_team_4")
        page.screenshot(path=str(ARTIFACTS / "portal-rating-keyboard.png"), full_page=True)
        page.click("button:has-text('Send rating')")
        page.wait_for_selector("text=You rated this request")
        return label

    label = in_browser(tenant_client(customer), script)

    assert label.split(",")[0].strip() == "4"
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.response_time, rating.solution, rating.team) == (4, 5, 5)


def test_a_failed_new_ticket_focuses_the_first_invalid_field_in_view(tenant, tenant_client):
    ArticleFactory(title="Printer shows E-42", body="Restart it.", status="PUBLISHED")
    base = f"http://{tenant.domains.get(is_primary=True).domain}"

    def script(page):
        page.set_viewport_size({"width": 390, "height": 700})
        page.goto(f"{base}/tickets/new/")
        page.fill("#id_subject", "Printer shows E-42 on every page")
        page.click("button:has-text('Submit request')")
        page.wait_for_selector("[data-error-summary]")
        page.wait_for_timeout(600)  # after any suggestion lookup would have landed
        focused = page.evaluate("document.activeElement.id")
        visible = page.eval_on_selector("#id_description", IN_VIEW)
        page.screenshot(path=str(ARTIFACTS / "portal-new-ticket-error-focus.png"))
        page.click("[data-error-summary] a")
        again = page.evaluate("document.activeElement.id")
        return focused, visible, again

    result = in_browser(tenant_client(CustomerFactory(email_verified=True)), script)

    assert result == ("id_description", True, "id_description")


def test_a_no_vote_asks_what_was_missing_with_focus_in_the_box(tenant, tenant_client):
    from knowledgebase.models import ArticleFeedback

    article = ArticleFactory(title="Set up DKIM", status="PUBLISHED")
    base = f"http://{tenant.domains.get(is_primary=True).domain}"

    def script(page):
        page.goto(f"{base}/kb/{article.slug}/")
        page.click("#kb-feedback button[value='0']")
        page.wait_for_selector("#kb-feedback-comment")
        page.wait_for_function("document.activeElement.id === 'kb-feedback-comment'")
        page.keyboard.type("An example for Gmail")
        page.screenshot(path=str(ARTIFACTS / "kb-no-vote-box.png"), full_page=True)
        page.click("#kb-feedback button:has-text('Send')")
        page.wait_for_selector("text=we will use your note")
        return page.inner_text("#kb-feedback")

    text = in_browser(tenant_client(CustomerFactory()), script)

    assert "found this helpful" not in text
    assert ArticleFeedback.objects.get(article=article).comment == "An example for Gmail"
