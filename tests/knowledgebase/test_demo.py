from knowledgebase.demo import demo_articles_create
from knowledgebase.models import Article, ArticleFeedback, Category, SearchRecord
from knowledgebase.search import article_search
from panel1.tenants import provisioning
from tests.factories import AdminFactory, AgentFactory, CustomerFactory


def demo_people():
    return {
        "admin@demo.test": AdminFactory(email="admin@demo.test"),
        "alice@demo.test": AgentFactory(email="alice@demo.test"),
        "bob@demo.test": AgentFactory(email="bob@demo.test"),
        "carol@customer.test": CustomerFactory(email="carol@customer.test"),
        "dave@customer.test": CustomerFactory(email="dave@customer.test"),
        "erin@example.org": CustomerFactory(email="erin@example.org"),
    }


def test_demo_step_is_registered():
    assert "knowledge base articles" in dict(provisioning.registered_demo_steps())


def test_demo_help_center_is_realistic_and_added_once(tenant, run_on_commit):
    people = demo_people()
    with run_on_commit():
        assert demo_articles_create(tenant=tenant, people=people) is True
        assert demo_articles_create(tenant=tenant, people=people) is False

    published = Article.objects.published()
    assert published.count() >= 20
    assert Category.objects.filter(parent__isnull=False).exists()
    visibilities = set(published.values_list("visibility", flat=True))
    assert visibilities == {"PUBLIC", "CUSTOMERS", "INTERNAL"}
    assert Article.objects.filter(status="DRAFT").exists()
    assert ArticleFeedback.objects.exists()
    assert Article.objects.get(slug="how-to-reset-your-password").view_count == 412
    assert SearchRecord.objects.filter(result_count=0).exists()  # content gaps to look at
    assert article_search(user=None, query="mx record").hits[0].article.category.slug == "domains"
    assert article_search(user=None, query="pasword").corrected
