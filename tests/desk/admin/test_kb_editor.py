"""The KB article editor in the admin area: write, preview (the public page's renderer),
upload images (sniffed, per tenant), link other articles; insights with readers' comments."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from knowledgebase.models import Article, ArticleFeedback, ArticleImage
from tests.factories import CustomerFactory
from tests.factories.knowledgebase import ArticleFactory, KBCategoryFactory

pytestmark = pytest.mark.django_db

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _post_article(client, url, **overrides):
    data = {
        "title": "Reset your password",
        "body": "## Steps\n\n1. Open **Settings**\n2. Choose *Reset*",
        "status": "PUBLISHED",
        "visibility": "PUBLIC",
        "tags": "account, password",
        "excerpt": "",
        "slug": "",
        "category": "",
        "note": "",
    }
    return client.post(url, {**data, **overrides})


def test_an_agent_writes_and_publishes_an_article_from_the_desk(tenant_client, agent):
    category = KBCategoryFactory(name="Accounts")
    client = tenant_client(agent)

    assert client.get("/desk/admin/kb/new/").status_code == 200
    response = _post_article(client, "/desk/admin/kb/new/", category=str(category.pk))

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/admin/kb/{article.pk}/"
    assert (article.status, article.category, article.tags) == (
        "PUBLISHED", category, ["account", "password"],
    )  # fmt: skip
    assert '<h2 id="steps">Steps</h2>' in article.body_html
    page = client.get(f"/desk/admin/kb/{article.pk}/").content.decode()
    assert "data-md-toolbar" in page and 'id="kb-preview"' in page
    assert '<h2 id="steps">Steps</h2>' in page  # the preview shows at once
    public = client.get(f"/kb/{article.slug}/").content.decode()
    assert f'href="/desk/admin/kb/{article.pk}/"' in public  # "Edit" opens the editor


def test_editing_keeps_a_revision_and_bad_input_is_a_field_error(tenant_client, agent):
    article = ArticleFactory(title="Old", body="Old text")
    client = tenant_client(agent)

    bad = _post_article(client, f"/desk/admin/kb/{article.pk}/", title="", slug="Not a slug!")
    ok = _post_article(client, f"/desk/admin/kb/{article.pk}/", note="Clearer steps")

    assert bad.status_code == 400
    assert 'id="id_title_error"' in bad.content.decode()
    assert ok.status_code == 302
    article.refresh_from_db()
    assert article.title == "Reset your password"
    assert article.revisions.order_by("-number").first().note == "Clearer steps"


def test_the_preview_is_the_public_pages_sanitized_rendering(tenant_client, agent):
    body = "## Hi\n\n<script>alert(1)</script>[x](javascript:alert(1)) **bold**"
    article = ArticleFactory(title="Same", body=body, status="PUBLISHED")

    preview = tenant_client(agent).post("/desk/admin/kb/preview/", {"body": body})

    html = preview.content.decode()
    assert preview.status_code == 200
    assert article.body_html in html  # byte for byte what readers get
    assert "<script" not in html and "javascript:" not in html


def test_customers_reach_none_of_the_editor(tenant_client):
    client = tenant_client(CustomerFactory())
    for url in ("/desk/admin/kb/", "/desk/admin/kb/new/", "/desk/admin/kb/links/"):
        assert client.get(url).status_code == 302  # to the portal
    assert client.post("/desk/admin/kb/preview/", {"body": "x"}).status_code == 302


def test_an_uploaded_image_is_sniffed_stored_per_tenant_and_served(tenant_client, agent, tenant):
    article = ArticleFactory()
    client = tenant_client(agent)

    answer = client.post(
        "/desk/admin/kb/images/",
        {"image": SimpleUploadedFile("shot.gif", PNG, "image/gif"), "article": str(article.pk)},
    )

    assert answer.status_code == 201, answer.content
    image = ArticleImage.objects.get()
    assert (image.content_type, image.article, image.size) == ("image/png", article, len(PNG))
    assert image.file.name.endswith(".png") and "shot" not in image.file.name
    assert f"tenants/{connection.schema_name}/" in image.file.path
    assert answer.json()["markdown"] == f"![shot](/kb/images/{image.pk}/)"
    served = tenant_client().get(f"/kb/images/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("page.png", b"<html><script>alert(1)</script></html>"),
        ("empty.png", b""),
    ],
)
def test_anything_but_an_image_is_refused_whatever_its_name(tenant_client, agent, name, content):
    answer = tenant_client(agent).post(
        "/desk/admin/kb/images/", {"image": SimpleUploadedFile(name, content, "image/png")}
    )

    assert answer.status_code == 400
    assert "image" in answer.json()
    assert not ArticleImage.objects.exists()


def test_the_link_picker_finds_articles_and_offers_their_markdown(tenant_client, agent):
    ArticleFactory(title="Reset your password", slug="reset-password", status="PUBLISHED")
    ArticleFactory(title="Password rules [2026]", slug="password-rules", status="DRAFT")
    ArticleFactory(title="Invoices", slug="invoices")
    client = tenant_client(agent)

    html = client.get("/desk/admin/kb/links/", {"q": "password"}).content.decode()

    assert 'data-insert="[Reset your password](/kb/reset-password/)"' in html
    assert 'data-insert="[Password rules (2026)](/kb/password-rules/)"' in html
    assert "Invoices" not in html and html.index("Reset your") < html.index("Password rules")


def test_insights_in_the_admin_area_list_what_readers_missed(
    tenant_client, agent, django_assert_max_num_queries
):
    article = ArticleFactory(title="Set up DKIM")
    ArticleFeedback.objects.create(
        article=article, session_key="s1", helpful=False, comment="No example for Gmail"
    )
    old = ArticleFeedback.objects.create(
        article=article, session_key="s2", helpful=False, comment="Ancient"
    )
    ArticleFeedback.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=100)
    )
    client = tenant_client(agent)
    client.get("/desk/admin/kb/insights/")

    with django_assert_max_num_queries(16):
        page = client.get("/desk/admin/kb/insights/").content.decode()

    assert "No example for Gmail" in page and "Ancient" not in page
    assert f'href="/desk/admin/kb/{article.pk}/"' in page


def test_the_article_list_and_editor_stay_within_a_query_budget(
    tenant_client, agent, django_assert_max_num_queries
):
    for n in range(15):
        ArticleFactory(title=f"Article {n}", category=KBCategoryFactory())
    article = Article.objects.first()
    client = tenant_client(agent)
    client.get("/desk/admin/kb/")

    with django_assert_max_num_queries(16):
        assert client.get("/desk/admin/kb/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/desk/admin/kb/{article.pk}/").status_code == 200


def test_images_uploaded_for_a_new_article_belong_to_it_once_saved(tenant_client, agent):
    client = tenant_client(agent)
    upload = client.post("/desk/admin/kb/images/", {"image": SimpleUploadedFile("a.png", PNG)})
    markdown = upload.json()["markdown"]

    _post_article(client, "/desk/admin/kb/new/", body=f"See:\n\n{markdown}")

    assert ArticleImage.objects.get().article == Article.objects.get()


def test_an_image_is_served_only_to_readers_of_an_article_that_shows_it(tenant_client, agent):
    """An image of an internal article or a draft stays staff-only, even to someone who has
    its address; a published article that shows the image opens it to that article's readers."""
    from tests.factories import CustomerFactory

    internal = ArticleFactory(visibility="INTERNAL", slug="internal-setup")
    draft = ArticleFactory(status="DRAFT", slug="draft-setup")
    staff = tenant_client(agent)
    images = {}
    for name, article in (("internal", internal), ("draft", draft), ("loose", None)):
        data = {"image": SimpleUploadedFile(f"{name}.png", PNG)}
        if article is not None:
            data["article"] = str(article.pk)
        images[name] = staff.post("/desk/admin/kb/images/", data).json()["markdown"]
    urls = {name: markdown[markdown.index("(") + 1 : -1] for name, markdown in images.items()}
    customer = tenant_client(CustomerFactory())

    for url in urls.values():
        assert staff.get(url).status_code == 200
        assert customer.get(url).status_code == 404
        assert tenant_client().get(url).status_code == 404

    ArticleFactory(slug="public-copy", body=f"Copied:\n\n{images['internal']}")
    assert customer.get(urls["internal"]).status_code == 200
    assert customer.get(urls["draft"]).status_code == 404
