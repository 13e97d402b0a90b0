"""The KB article editor in real Chromium: toolbar, live preview, image upload, a link to
another article picked from the search dialog, save; screenshots in light and dark theme.

A live server (not request routing): Chromium does not hand an intercepted upload's file
bytes to Playwright."""

from __future__ import annotations

import base64
import os

import pytest
from django_tenants.utils import schema_context

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.test_desk import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_write_an_article_with_toolbar_preview_image_and_internal_link(
    live_tenant, browser, theme, tmp_path
):
    from knowledgebase.models import Article, ArticleImage
    from tests.factories import AgentFactory
    from tests.factories.knowledgebase import ArticleFactory

    with schema_context(live_tenant.tenant.schema_name):
        ArticleFactory(title="Reset your password", slug="reset-password", status="PUBLISHED")
        agent = AgentFactory()
    base = live_tenant.url
    image_file = tmp_path / "screen.png"
    image_file.write_bytes(PNG)
    ARTIFACTS.mkdir(exist_ok=True)

    def script(page):
        seen = {}
        page.emulate_media(color_scheme=theme)
        page.goto(f"{base}/desk/admin/kb/new/")
        page.fill("#id_title", "Log in for the first time")
        body = page.locator("#id_body")
        body.fill("Open the portal")
        body.press("Control+a")
        page.click("[data-md=bold]")  # wraps the selection
        page.wait_for_selector("#kb-preview strong:has-text('Open the portal')")
        body.press("End")
        body.press("Enter")
        page.click("[data-md=h2]")
        body.type("Steps")
        page.wait_for_selector("#kb-preview h2:has-text('Steps')")
        # The toolbar is one tab stop; arrow keys move inside it.
        page.focus("[data-md=bold]")
        page.keyboard.press("ArrowRight")
        seen["arrow"] = page.evaluate("document.activeElement.dataset.md")
        body.press("End")
        body.press("Enter")
        page.set_input_files("#kb-image-file", str(image_file))
        try:
            page.wait_for_selector("#kb-editor-status:has-text('Image added')", timeout=8000)
        except Exception:
            raise AssertionError(page.inner_text("#kb-editor-status")) from None
        page.wait_for_selector("#kb-preview img")
        seen["image_loaded"] = page.eval_on_selector(
            "#kb-preview img", "img => img.complete && img.naturalWidth === 1"
        )
        page.click("[data-md-article-link]")
        page.wait_for_selector("#kb-link-dialog[open]")
        page.fill("#kb-link-q", "reset")
        page.click("#kb-link-results button:has-text('Reset your password')")
        page.wait_for_selector("#kb-preview a[href='/kb/reset-password/']")
        seen["dialog_closed"] = page.evaluate("!document.getElementById('kb-link-dialog').open")
        seen["focus_back"] = page.evaluate("document.activeElement.id")
        page.screenshot(path=str(ARTIFACTS / f"kb-editor-{theme}.png"), full_page=True)
        page.select_option("#id_status", "PUBLISHED")
        page.click("button:has-text('Save article')")
        page.wait_for_selector("text=Article saved.")
        return seen

    page = log_in(browser, live_tenant, agent.email)
    seen = script(page)
    assert page.errors == []

    assert seen == {
        "arrow": "italic",
        "image_loaded": True,
        "dialog_closed": True,
        "focus_back": "id_body",
    }
    with schema_context(live_tenant.tenant.schema_name):
        article = Article.objects.get(title="Log in for the first time")
        image = ArticleImage.objects.get()
    assert article.status == "PUBLISHED"
    assert "**Open the portal**" in article.body and "## Steps" in article.body
    assert f"](/kb/images/{image.pk}/)" in article.body
    assert "[Reset your password](/kb/reset-password/)" in article.body
