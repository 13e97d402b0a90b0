"""Public KB pages on the tenant host, and the admin."""

from knowledgebase.models import Article, ArticleRevision, Category
from tests.factories import AdminFactory, AgentFactory, CustomerFactory
from tests.factories.knowledgebase import ArticleFactory, KBCategoryFactory


def html(answer) -> str:
    assert answer.status_code == 200, answer.status_code
    return answer.content.decode()


def test_index_lists_categories_with_counts_and_is_branded(tenant, tenant_client):
    email = KBCategoryFactory(name="Email")
    clients = KBCategoryFactory(name="Email clients", parent=email)
    KBCategoryFactory(name="Empty")
    ArticleFactory(title="Outlook", category=clients)
    ArticleFactory(title="Spam", category=email)
    ArticleFactory(title="Secret", category=KBCategoryFactory(name="Staff"), visibility="INTERNAL")

    page = html(tenant_client().get("/kb/"))

    assert tenant.brand_name in page
    assert 'name="viewport"' in page and "css/kb.css" in page
    assert "/kb/email/" in page and "2 articles" in page
    assert "Empty" not in page and "Staff" not in page  # nothing a visitor could read
    assert "Outlook" in page and "Spam" in page


def test_category_page_lists_its_and_its_subcategories_articles(tenant, tenant_client):
    email = KBCategoryFactory(name="Email")
    clients = KBCategoryFactory(name="Email clients", parent=email)
    ArticleFactory(title="Outlook setup", category=clients)
    ArticleFactory(title="Spam filter", category=email)
    ArticleFactory(title="Domain transfer")

    top = html(tenant_client().get("/kb/email/"))
    sub = html(tenant_client().get("/kb/email-clients/"))

    assert "Outlook setup" in top and "Spam filter" in top and "Domain transfer" not in top
    assert "/kb/email-clients/" in top
    assert "Outlook setup" in sub and "Spam filter" not in sub
    assert 'href="/kb/email/"' in sub  # breadcrumb to the parent


def test_category_with_only_internal_articles_is_404_for_customers(tenant, tenant_client):
    playbooks = KBCategoryFactory(name="Playbooks")
    ArticleFactory(title="Playbook", category=playbooks, visibility="INTERNAL")

    assert tenant_client(CustomerFactory()).get("/kb/playbooks/").status_code == 404
    assert tenant_client(AgentFactory()).get("/kb/playbooks/").status_code == 200


def test_article_page_shows_sanitized_html_and_feedback(tenant, tenant_client):
    article = ArticleFactory(
        title="Set up DKIM",
        body="## Steps\n\n<img src=x onerror=alert(1)>[x](javascript:alert(1)) **Go**",
        category=KBCategoryFactory(name="Email"),
        tags=["dkim"],
    )

    page = html(tenant_client().get(f"/kb/{article.slug}/"))

    assert "<h1>Set up DKIM</h1>" in page
    assert '<h2 id="steps">Steps</h2>' in page
    assert "<strong>Go</strong>" in page
    assert "onerror" not in page and "javascript:" not in page
    assert "Was this article helpful?" in page
    assert 'href="/kb/email/"' in page and "/kb/search/?q=dkim" in page


def test_search_page_shows_highlights_and_a_correction(tenant, tenant_client):
    ArticleFactory(title="Transfer a domain", body="Ask your registrar for the auth code.")

    page = html(tenant_client().get("/kb/search/", {"q": "registar"}))

    assert "Showing results for <strong>registrar</strong>" in page
    assert "<mark>registrar</mark>" in page
    assert "Transfer a domain" in page


def test_search_page_without_results_offers_contact(tenant, tenant_client):
    page = html(tenant_client().get("/kb/search/", {"q": "<script>alert(1)</script>"}))

    assert "could not find an article" in page
    assert "<script>alert(1)</script>" not in page  # the query is escaped


def test_search_page_pages(tenant, tenant_client):
    for n in range(12):
        ArticleFactory(title=f"Backup guide {n}")

    first = html(tenant_client().get("/kb/search/", {"q": "backup"}))
    second = html(tenant_client().get("/kb/search/", {"q": "backup", "page": 2}))

    assert "12 articles" in first and "Page 1 of 2" in first
    assert second.count("kb-list-title") == 2


def test_unknown_slug_is_404(tenant, tenant_client):
    assert tenant_client().get("/kb/nothing-here/").status_code == 404


def test_suggestions_fragment_for_the_ticket_form(tenant, tenant_client):
    ArticleFactory(title="Understanding your invoice", body="VAT explained.")

    fragment = html(
        tenant_client().get("/kb/suggest/", {"subject": "Invoice", "content": "VAT is wrong"})
    )
    empty = html(tenant_client().get("/kb/suggest/", {"q": "zzz"}))

    assert "Understanding your invoice" in fragment and "<html" not in fragment
    assert empty.strip() == ""


# --- admin --------------------------------------------------------------------------------


def test_admin_creates_and_edits_articles_through_the_service(tenant, tenant_client, events):
    category = KBCategoryFactory(name="Billing")
    admin = tenant_client(AdminFactory())
    form = {
        "title": "Refunds",
        "slug": "",
        "category": str(category.pk),
        "status": "PUBLISHED",
        "visibility": "PUBLIC",
        "excerpt": "",
        "tags": "refund, billing",
        "body": "Within **30 days**.",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }

    created = admin.post("/admin/knowledgebase/article/add/", form)

    assert created.status_code == 302, created.content.decode()[:3000]
    article = Article.objects.get()
    assert article.slug == "refunds" and article.tags == ["refund", "billing"]
    assert article.body_html == "<p>Within <strong>30 days</strong>.</p>"
    assert [e.name for e in events] == ["kb.article.published"]

    form.update(body="Within **60 days**.", slug="refunds")
    form["revisions-INITIAL_FORMS"] = form["revisions-TOTAL_FORMS"] = "1"
    form["revisions-0-id"] = str(article.revisions.get().pk)
    form["revisions-0-article"] = str(article.pk)
    edited = admin.post(f"/admin/knowledgebase/article/{article.pk}/change/", form)

    assert edited.status_code == 302
    assert article.revisions.count() == 2


def test_admin_form_refuses_a_slug_used_by_a_category(tenant, tenant_client):
    KBCategoryFactory(name="Billing")
    answer = tenant_client(AdminFactory()).post(
        "/admin/knowledgebase/article/add/",
        {"title": "T", "slug": "billing", "status": "DRAFT", "visibility": "PUBLIC",
         "tags": "", "body": "", "excerpt": "",
         "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert answer.status_code == 200 and "already used" in answer.content.decode()
    assert not Article.objects.exists()


def test_admin_restores_a_revision(tenant, tenant_client):
    from knowledgebase.services import kb_article_update

    article = ArticleFactory(title="Old", body="Old text")
    kb_article_update(article=article, actor=AgentFactory(), body="New text")
    first = article.revisions.get(number=1)
    admin = tenant_client(AdminFactory())
    url = f"/admin/knowledgebase/article/{article.pk}/restore/{first.pk}/"

    change_page = html(admin.get(f"/admin/knowledgebase/article/{article.pk}/change/"))
    assert url in change_page  # the inline links to it
    confirm = html(admin.get(url))
    assert "Restore revision 1" in confirm and "Old text" in confirm
    assert admin.post(url).status_code == 302

    article.refresh_from_db()
    assert article.body == "Old text" and article.revisions.count() == 3


def test_admin_revision_action_restores_one_revision(tenant, tenant_client):
    from knowledgebase.services import kb_article_update

    article = ArticleFactory(body="First")
    kb_article_update(article=article, actor=AgentFactory(), body="Second")
    first = ArticleRevision.objects.get(article=article, number=1)

    answer = tenant_client(AdminFactory()).post(
        "/admin/knowledgebase/articlerevision/",
        {"action": "restore_selected", "_selected_action": [str(first.pk)]},
    )

    assert answer.status_code == 302
    article.refresh_from_db()
    assert article.body == "First"


def test_admin_category_nesting_is_one_level(tenant, tenant_client):
    top = KBCategoryFactory(name="Email")
    child = KBCategoryFactory(name="Clients", parent=top)
    admin = tenant_client(AdminFactory())

    answer = admin.post(
        "/admin/knowledgebase/category/add/",
        {"name": "Outlook", "slug": "outlook", "parent": str(child.pk), "position": "0"},
    )
    assert answer.status_code == 200  # the parent choice is refused
    ok = admin.post(
        "/admin/knowledgebase/category/add/",
        {"name": "Webmail", "slug": "webmail", "parent": str(top.pk), "position": "1"},
    )
    assert ok.status_code == 302
    assert Category.objects.get(slug="webmail").parent == top


def test_admin_pages_render(tenant, tenant_client):
    ArticleFactory()
    admin = tenant_client(AdminFactory())
    for url in (
        "/admin/knowledgebase/article/",
        "/admin/knowledgebase/article/add/",
        "/admin/knowledgebase/category/",
        "/admin/knowledgebase/articlerevision/",
        "/admin/knowledgebase/articlefeedback/",
        "/admin/knowledgebase/searchrecord/",
    ):
        assert admin.get(url).status_code == 200, url


def test_ticket_sidebar_suggests_articles_the_viewer_may_read(tenant, rf, tenant_client):
    from django.template import Context, Template

    from tests.factories import TicketFactory

    ArticleFactory(title="Understanding your invoice", body="VAT and prorated charges.")
    ArticleFactory(title="Invoice refunds playbook", visibility="INTERNAL")
    ticket = TicketFactory(subject="Invoice shows VAT twice", content="Please fix my invoice.")
    template = Template('{% load panel1_plugins %}{% ui_slot "ticket.sidebar" ticket=ticket %}')
    request = rf.get("/")
    request.user = AgentFactory()
    slot = template.render(Context({"request": request, "ticket": ticket}))
    # The component loads its articles after the page, as its reader may see them.
    url = f"/kb/tickets/{ticket.pk}/suggestions/"
    assert f'hx-get="{url}"' in slot and "invoice" not in slot.lower()

    agent_view = tenant_client(AgentFactory()).get(url).content.decode()
    customer_view = tenant_client(ticket.requester).get(url).content.decode()
    assert "Understanding your invoice" in agent_view and "Invoice refunds playbook" in agent_view
    assert "Understanding your invoice" in customer_view
    assert "Invoice refunds playbook" not in customer_view


def test_xss_payloads_in_article_bodies_never_reach_pages_or_api_as_code(
    tenant, tenant_client, api_client
):
    from tests.core.test_markdown import XSS_PAYLOADS, assert_not_executable

    article = ArticleFactory(title="Payloads", body="\n\n".join(XSS_PAYLOADS) + "\n\npayload")

    page = html(tenant_client().get(f"/kb/{article.slug}/"))
    body = page.split('<div class="kb-body">', 1)[1].split("</article>", 1)[0]
    assert_not_executable(body.rsplit("</div>", 1)[0])
    detail = api_client().get(f"/api/v1/kb/articles/{article.slug}/").json()
    assert_not_executable(detail["body_html"])
    hit = api_client().get("/api/v1/kb/articles/?search=payload").json()["results"][0]
    assert_not_executable(hit["highlight"].replace("<mark>", "").replace("</mark>", ""))
