"""The help center on a phone, in real Chromium: search with a typo, open the result, vote.

Uses the shared live-server fixtures of tests/browser/conftest.py (tenant rows restored,
tenant tables snapshotted and put back). Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os

import pytest
from django_tenants.utils import schema_context

from tests.browser.conftest import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]


def test_reader_finds_an_article_on_a_phone_and_votes(live_tenant, browser):
    from knowledgebase.models import Article, SearchRecord
    from tests.factories import AdminFactory
    from tests.factories.knowledgebase import ArticleFactory, KBCategoryFactory

    with schema_context(live_tenant.tenant.schema_name):
        domains = KBCategoryFactory(name="Domains & DNS")
        ArticleFactory(
            title="Point your domain to us",
            category=domains,
            body="## Nameservers\n\nSet `ns1.example.net` at your registrar. "
            + "Propagation takes up to 48 hours. " * 20,
            actor=AdminFactory(),
        )
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()

    page.goto(live_tenant.url + "/kb/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.fill("#kb-q", "nameservrs")
    page.click(".kb-search button")
    page.wait_for_selector("text=Showing results for")
    page.screenshot(path=str(ARTIFACTS / "kb-phone-search.png"), full_page=True)
    assert page.inner_html(".kb-snippet").count("<mark>") >= 1

    page.click(".kb-results a")
    page.wait_for_selector("h1:has-text('Point your domain to us')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#kb-feedback button[value='1']")
    page.wait_for_selector("text=Glad it helped")  # swapped in by htmx, no page load
    page.screenshot(path=str(ARTIFACTS / "kb-phone-article.png"), full_page=True)

    with schema_context(live_tenant.tenant.schema_name):
        article = Article.objects.get()
        assert article.helpful_count == 1
        search = SearchRecord.objects.get()
        assert (search.corrected_query, search.opened_article_id) == ("nameservers", article.pk)
    context.close()
