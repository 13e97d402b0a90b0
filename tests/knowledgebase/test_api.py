import uuid

import pytest

from knowledgebase.models import Article, SearchRecord
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory, CustomerFactory
from tests.factories.knowledgebase import ArticleFactory, KBCategoryFactory

ARTICLES = "/api/v1/kb/articles/"


def test_list_shows_published_articles_newest_first(tenant, api_client):
    older = ArticleFactory(title="Older")
    newer = ArticleFactory(title="Newer")
    ArticleFactory(title="Draft", status="DRAFT")

    answer = api_client().get(ARTICLES)

    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    assert [a["slug"] for a in body["results"]] == [newer.slug, older.slug]
    first = body["results"][0]
    assert set(first) >= {"id", "slug", "title", "excerpt", "category", "tags", "status"}
    assert first["author"] == {"id": str(newer.author.pk), "name": newer.author.name}
    assert first["url"].endswith(f"/kb/{newer.slug}/")
    assert "body_html" not in first and "email" not in first["author"]


def test_category_filter_and_bad_category(tenant, api_client):
    billing = KBCategoryFactory(name="Billing")
    ArticleFactory(title="Invoice", category=billing)
    ArticleFactory(title="Password")

    assert [a["title"] for a in api_client().get(f"{ARTICLES}?category={billing.pk}").json()[
        "results"
    ]] == ["Invoice"]  # fmt: skip
    assert api_client().get(f"{ARTICLES}?category=nope").status_code == 400
    unknown = api_client().get(f"{ARTICLES}?category={uuid.uuid4()}")
    assert unknown.status_code == 400 and "category" in unknown.json()


def test_search_answers_ranked_results_with_highlights(tenant, api_client):
    ArticleFactory(title="Account basics", body="A password reset link expires in an hour.")
    ArticleFactory(title="Password rules", body="Twelve characters at least.")

    answer = api_client().get(f"{ARTICLES}?search=password")

    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2 and body["did_you_mean"] == "" and body["corrected"] is False
    assert [r["title"] for r in body["results"]] == ["Password rules", "Account basics"]
    assert body["results"][0]["rank"] > body["results"][1]["rank"]
    assert "<mark>password</mark>" in body["results"][1]["highlight"]
    assert SearchRecord.objects.get(pk=body["search_id"]).result_count == 2


def test_search_pages_with_limit_and_offset(tenant, api_client):
    for n in range(5):
        ArticleFactory(title=f"DNS guide {n}")

    first = api_client().get(f"{ARTICLES}?search=dns&limit=2").json()
    last = api_client().get(f"{ARTICLES}?search=dns&limit=2&offset=4").json()

    assert first["count"] == 5 and len(first["results"]) == 2
    assert "offset=2" in first["next"] and first["previous"] is None
    assert len(last["results"]) == 1 and last["next"] is None
    assert last["search_id"] is None  # a next page is no new search
    assert SearchRecord.objects.count() == 1


def test_misspelled_search_answers_the_corrected_results(tenant, api_client):
    ArticleFactory(title="Transfer a domain")

    body = api_client().get(f"{ARTICLES}?search=tranfser domian").json()

    assert body["corrected"] is True
    assert body["did_you_mean"] == "transfer domain"
    assert [r["title"] for r in body["results"]] == ["Transfer a domain"]


def test_retrieve_answers_rendered_html_and_staff_get_the_markdown(tenant, api_client):
    article = ArticleFactory(body="Use **bold** <script>alert(1)</script>")

    public = api_client().get(f"{ARTICLES}{article.slug}/").json()
    staff = api_client(AgentFactory()).get(f"{ARTICLES}{article.slug}/").json()

    assert public["body_html"] == "<p>Use <strong>bold</strong> </p>"
    assert "body" not in public
    assert staff["body"] == article.body and staff["revision"] == 1


def test_retrieve_of_unknown_or_draft_article_is_404_for_readers(tenant, api_client):
    draft = ArticleFactory(status="DRAFT")

    assert api_client().get(f"{ARTICLES}nothing-here/").status_code == 404
    assert api_client(CustomerFactory()).get(f"{ARTICLES}{draft.slug}/").status_code == 404
    assert api_client(AgentFactory()).get(f"{ARTICLES}{draft.slug}/").status_code == 200


def test_staff_create_article(tenant, api_client, events):
    category = KBCategoryFactory(name="Email")
    agent = AgentFactory()

    answer = api_client(agent).post(
        ARTICLES,
        {
            "title": "Set up IMAP",
            "body": "## Ports\n\nUse 993.",
            "category": str(category.pk),
            "tags": ["IMAP", "email"],
            "status": "PUBLISHED",
            "visibility": "CUSTOMERS",
        },
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["slug"] == "set-up-imap"
    assert body["body_html"] == '<h2 id="ports">Ports</h2>\n<p>Use 993.</p>'
    assert body["tags"] == ["imap", "email"] and body["category"] == str(category.pk)
    assert body["author"]["id"] == str(agent.pk)
    assert [e.name for e in events] == ["kb.article.published"]


def test_create_is_idempotent_with_a_key(tenant, api_client):
    client = api_client(AgentFactory())
    headers = {"HTTP_IDEMPOTENCY_KEY": "kb-1"}

    first = client.post(ARTICLES, {"title": "Once"}, format="json", **headers)
    again = client.post(ARTICLES, {"title": "Once"}, format="json", **headers)

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Article.objects.filter(title="Once").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 300}, "title"),
        ({"title": "T", "status": "LIVE"}, "status"),
        ({"title": "T", "visibility": "EVERYONE"}, "visibility"),
        ({"title": "T", "category": "not-a-uuid"}, "category"),
        ({"title": "T", "category": str(uuid.uuid4())}, "category"),
        ({"title": "T", "tags": "billing"}, "tags"),
        ({"title": "T", "tags": [{"a": 1}]}, "tags"),
        ({"title": "T", "slug": "Bad Slug!"}, "slug"),
        ({"title": "T", "slug": "search"}, "slug"),
        ({"title": ["T"]}, "title"),
        ({"title": "T", "body": "x" * 200_001}, "body"),
    ],
)
def test_create_validation_errors_name_the_field(tenant, api_client, payload, field):
    answer = api_client(AgentFactory()).post(ARTICLES, payload, format="json")

    assert answer.status_code == 400
    assert field in answer.json()
    assert not Article.objects.exists()


def test_patch_changes_fields_and_records_a_revision(tenant, api_client):
    article = ArticleFactory(title="Old", body="Old body")
    client = api_client(AgentFactory())

    answer = client.patch(
        f"{ARTICLES}{article.slug}/", {"body": "New *body*", "status": "ARCHIVED"}, format="json"
    )

    assert answer.status_code == 200
    assert answer.json()["body_html"] == "<p>New <em>body</em></p>"
    assert answer.json()["status"] == "ARCHIVED" and answer.json()["revision"] == 2
    bad = client.patch(f"{ARTICLES}{article.slug}/", {"visibility": "ALL"}, format="json")
    assert bad.status_code == 400 and "visibility" in bad.json()


def test_patch_can_rename_the_slug(tenant, api_client):
    article = ArticleFactory(title="Old")

    answer = api_client(AgentFactory()).patch(
        f"{ARTICLES}{article.slug}/", {"slug": "new-address"}, format="json"
    )

    assert answer.status_code == 200 and answer.json()["slug"] == "new-address"


def test_writes_need_staff(tenant, api_client):
    article = ArticleFactory()

    assert api_client().post(ARTICLES, {"title": "T"}, format="json").status_code == 401
    assert api_client(CustomerFactory()).post(ARTICLES, {"title": "T"}).status_code == 403
    patch = api_client(CustomerFactory()).patch(f"{ARTICLES}{article.slug}/", {"title": "X"})
    assert patch.status_code == 403


def test_feedback_counts_one_vote_per_user_and_a_changed_vote_moves(tenant, api_client):
    article = ArticleFactory()
    customer = CustomerFactory()
    url = f"{ARTICLES}{article.slug}/feedback/"

    assert api_client(customer).post(url, {"helpful": True}, format="json").status_code == 204
    assert api_client(customer).post(url, {"helpful": True}, format="json").status_code == 204
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 0)

    api_client(customer).post(url, {"helpful": False}, format="json")
    api_client(AgentFactory()).post(url, {"helpful": False}, format="json")
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (0, 2)


def test_anonymous_feedback_counts_once_per_session(tenant, api_client):
    article = ArticleFactory()
    url = f"{ARTICLES}{article.slug}/feedback/"
    browser = api_client()

    assert browser.post(url, {"helpful": True}, format="json").status_code == 204
    assert browser.post(url, {"helpful": True}, format="json").status_code == 204
    api_client().post(url, {"helpful": True}, format="json")  # another visitor

    article.refresh_from_db()
    assert article.helpful_count == 2


@pytest.mark.parametrize("payload", [{}, {"helpful": "perhaps"}, {"helpful": None}])
def test_feedback_needs_a_boolean(tenant, api_client, payload):
    article = ArticleFactory()
    answer = api_client(CustomerFactory()).post(
        f"{ARTICLES}{article.slug}/feedback/", payload, format="json"
    )
    assert answer.status_code == 400 and "helpful" in answer.json()


def test_feedback_on_an_article_the_caller_cannot_read_is_404(tenant, api_client):
    internal = ArticleFactory(visibility="INTERNAL")
    answer = api_client(CustomerFactory()).post(
        f"{ARTICLES}{internal.slug}/feedback/", {"helpful": True}, format="json"
    )
    assert answer.status_code == 404


def test_suggest_answers_up_to_five_relevant_articles(tenant, api_client):
    ArticleFactory(title="Update your payment method", body="Cards and PayPal.")
    for n in range(6):
        ArticleFactory(title=f"Invoice question {n}", body="About invoices.")
    ArticleFactory(title="Invoice playbook", visibility="INTERNAL")

    answer = api_client(CustomerFactory()).get(
        "/api/v1/kb/suggest/", {"q": "Why was my invoice charged twice?"}
    )

    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == 5
    assert all(r["title"].startswith("Invoice question") for r in results)


def test_suggest_needs_the_q_parameter(tenant, api_client):
    assert api_client().get("/api/v1/kb/suggest/").status_code == 400
    assert api_client().get("/api/v1/kb/suggest/", {"q": ""}).json() == {"results": []}


def test_articles_of_another_tenant_are_invisible(tenant, other_tenant, api_client):
    with in_schema(other_tenant):
        ArticleFactory(title="Beta secret", actor=AdminFactory())
        beta_slug = Article.objects.get().slug
    ArticleFactory(title="Alpha public")

    on_alpha = api_client().get(ARTICLES).json()
    assert [a["title"] for a in on_alpha["results"]] == ["Alpha public"]
    assert api_client().get(f"{ARTICLES}{beta_slug}/").status_code == 404
    assert api_client().get(f"{ARTICLES}?search=secret").json()["count"] == 0
    on_beta = api_client(on=other_tenant).get(ARTICLES).json()
    assert [a["title"] for a in on_beta["results"]] == ["Beta secret"]


def test_schema_documents_the_kb_endpoints(tenant, api_client):
    schema = api_client(AdminFactory()).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert {"/api/v1/kb/articles/", "/api/v1/kb/articles/{slug}/", "/api/v1/kb/suggest/"} <= set(
        paths
    )
    assert "/api/v1/kb/articles/{slug}/feedback/" in paths
    assert paths["/api/v1/kb/articles/"]["get"]["summary"]
