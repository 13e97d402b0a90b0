"""Who reads what: anonymous visitors, customers and agents, under the KB settings."""

import pytest

from knowledgebase.models import Article
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, SupervisorFactory
from tests.factories.knowledgebase import ArticleFactory

ARTICLES = "/api/v1/kb/articles/"


@pytest.fixture
def library(tenant):
    """One published article per visibility, plus a draft and an archived one."""
    return {
        "public": ArticleFactory(title="Refund public"),
        "customers": ArticleFactory(title="Refund customers", visibility="CUSTOMERS"),
        "internal": ArticleFactory(title="Refund internal", visibility="INTERNAL"),
        "draft": ArticleFactory(title="Refund draft", status="DRAFT"),
        "archived": ArticleFactory(title="Refund archived", status="ARCHIVED"),
    }


def visible_titles(user):
    return sorted(Article.objects.visible_to(user).values_list("title", flat=True))


def test_visible_to_by_role(library):
    assert visible_titles(None) == ["Refund public"]
    assert visible_titles(CustomerFactory()) == ["Refund customers", "Refund public"]
    staff = ["Refund customers", "Refund internal", "Refund public"]
    for factory in (AgentFactory, SupervisorFactory, AdminFactory):
        assert visible_titles(factory()) == staff


def test_inactive_users_read_nothing(library):
    assert visible_titles(AgentFactory(is_active=False)) == []


@pytest.mark.parametrize(
    ("public_access", "require_auth", "anonymous_sees"),
    [(True, False, ["Refund public"]), (False, False, []), (True, True, []), (False, True, [])],
)
def test_settings_decide_what_anonymous_visitors_read(
    library, settings, public_access, require_auth, anonymous_sees
):
    settings.KB_PUBLIC_ACCESS = public_access
    settings.KB_REQUIRE_AUTH = require_auth

    assert visible_titles(None) == anonymous_sees
    assert visible_titles(CustomerFactory()) == ["Refund customers", "Refund public"]


def test_api_for_anonymous_customer_and_agent(library, api_client):
    def listed(client):
        return sorted(r["title"] for r in client.get(ARTICLES).json()["results"])

    def searched(client):
        return sorted(r["title"] for r in client.get(f"{ARTICLES}?search=refund").json()["results"])

    assert listed(api_client()) == searched(api_client()) == ["Refund public"]
    customer = api_client(CustomerFactory())
    assert listed(customer) == searched(customer) == ["Refund customers", "Refund public"]
    agent = api_client(AgentFactory())
    assert (
        listed(agent)
        == searched(agent)
        == [
            "Refund customers",
            "Refund internal",
            "Refund public",
        ]
    )


def test_internal_articles_reach_staff_only_everywhere(library, api_client, tenant_client):
    internal = library["internal"].slug
    customer = CustomerFactory()

    assert api_client(customer).get(f"{ARTICLES}{internal}/").status_code == 404
    assert api_client().get(f"{ARTICLES}{internal}/").status_code == 404
    suggested = api_client(customer).get("/api/v1/kb/suggest/", {"q": "refund internal"}).json()
    assert "Refund internal" not in [r["title"] for r in suggested["results"]]
    assert tenant_client(customer).get(f"/kb/{internal}/").status_code == 404
    assert tenant_client().get(f"/kb/{internal}/").status_code == 404
    page = tenant_client(customer).get("/kb/search/?q=refund").content.decode()
    assert "Refund internal" not in page and "Refund customers" in page

    agent = AgentFactory()
    assert api_client(agent).get(f"{ARTICLES}{internal}/").status_code == 200
    assert tenant_client(agent).get(f"/kb/{internal}/").status_code == 200


def test_closed_kb_answers_401_to_anonymous_api_callers(library, api_client, settings):
    settings.KB_REQUIRE_AUTH = True

    assert api_client().get(ARTICLES).status_code == 401
    assert api_client().get(f"{ARTICLES}{library['public'].slug}/").status_code == 401
    assert api_client().get("/api/v1/kb/suggest/", {"q": "refund"}).status_code == 401
    feedback = api_client().post(
        f"{ARTICLES}{library['public'].slug}/feedback/", {"helpful": True}, format="json"
    )
    assert feedback.status_code == 401
    assert api_client(CustomerFactory()).get(ARTICLES).json()["count"] == 2


@pytest.mark.parametrize("setting", ["KB_REQUIRE_AUTH", "KB_PUBLIC_ACCESS"])
def test_closed_kb_sends_anonymous_visitors_to_the_login_page(
    library, tenant_client, settings, setting
):
    setattr(settings, setting, setting == "KB_REQUIRE_AUTH")

    for url in ("/kb/", f"/kb/{library['public'].slug}/", "/kb/search/?q=refund"):
        answer = tenant_client().get(url)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/accounts/login/?next=")
    assert tenant_client(CustomerFactory()).get("/kb/").status_code == 200


def test_drafts_are_previewed_by_staff_only(library, tenant_client):
    draft = library["draft"].slug

    assert tenant_client(CustomerFactory()).get(f"/kb/{draft}/").status_code == 404
    page = tenant_client(AgentFactory()).get(f"/kb/{draft}/")
    assert page.status_code == 200
    assert "only staff can see this article" in page.content.decode()
