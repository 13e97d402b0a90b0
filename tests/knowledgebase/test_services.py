import pytest

from knowledgebase.models import Article, ArticleRevision
from knowledgebase.services import (
    kb_article_create,
    kb_article_revision_restore,
    kb_article_update,
    kb_category_create,
    kb_category_update,
)
from panel1.exceptions import DomainError, PermissionDenied
from tests.factories import AgentFactory, CustomerFactory
from tests.factories.knowledgebase import ArticleFactory, KBCategoryFactory


def published_events(events):
    return [e for e in events if e.name == "kb.article.published"]


def test_create_renders_once_and_keeps_the_first_revision(tenant):
    agent = AgentFactory()

    article = kb_article_create(
        actor=agent, title="  Reset   your password ", body="# Steps\n\nClick **Forgot**."
    )

    assert article.title == "Reset your password"
    assert article.slug == "reset-your-password"
    assert article.author == agent
    assert '<h1 id="steps">Steps</h1>' in article.body_html
    assert "<strong>Forgot</strong>" in article.body_html
    assert article.body_text == "Steps\n\nClick Forgot."
    assert article.excerpt == "Steps Click Forgot."
    assert article.status == "DRAFT" and article.published_at is None
    revision = article.revisions.get()
    assert (revision.number, revision.body, revision.editor) == (1, article.body, agent)
    assert article.current_revision == revision


def test_every_content_change_keeps_the_previous_version(tenant):
    article = ArticleFactory(body="First text.")

    kb_article_update(article=article, actor=AgentFactory(), body="Second text.")
    kb_article_update(article=article, actor=AgentFactory(), title="New title")
    kb_article_update(article=article, actor=AgentFactory(), tags=["x"], status="ARCHIVED")

    revisions = list(article.revisions.order_by("number").values_list("number", "title", "body"))
    assert revisions == [
        (1, article.title, "First text."),
        (2, article.title, "Second text."),
        (3, "New title", "Second text."),
    ]  # the tags and status change made no revision
    article.refresh_from_db()
    assert article.body_html == "<p>Second text.</p>"
    assert article.current_revision.number == 3


def test_restore_brings_back_old_content_as_a_new_revision_without_rendering(tenant, monkeypatch):
    article = ArticleFactory(title="Old", body="Old **text**.")
    kb_article_update(article=article, actor=AgentFactory(), title="New", body="New text.")
    first = article.revisions.get(number=1)

    def fail(*args):
        raise AssertionError("restoring must reuse the revision's HTML")

    monkeypatch.setattr("knowledgebase.services.articles.render_markdown", fail)
    restored = kb_article_revision_restore(revision=first, actor=AgentFactory())

    assert (restored.title, restored.body) == ("Old", "Old **text**.")
    assert restored.body_html == "<p>Old <strong>text</strong>.</p>"
    assert list(restored.revisions.order_by("number").values_list("number", "note")) == [
        (1, "Created"),
        (2, "Edited"),
        (3, "Restored revision 1"),
    ]
    assert restored.current_revision.number == 3


def test_restored_text_is_searchable_again(tenant):
    from knowledgebase.search import article_search

    article = ArticleFactory(title="Guide", body="Mentions zeppelins.")
    kb_article_update(article=article, actor=AgentFactory(), body="Mentions nothing.")
    assert article_search(user=None, query="zeppelin", correct_typos=False).total == 0

    kb_article_revision_restore(revision=article.revisions.get(number=1), actor=AgentFactory())

    assert article_search(user=None, query="zeppelin", correct_typos=False).total == 1


def test_publishing_emits_the_event_once_after_commit(tenant, events, run_on_commit):
    agent = AgentFactory()
    with run_on_commit():
        article = ArticleFactory(status="DRAFT", actor=agent)
    with run_on_commit():
        kb_article_update(article=article, actor=agent, status="PUBLISHED")
        assert published_events(events) == []  # nothing before commit
    with run_on_commit():
        kb_article_update(article=article, actor=agent, body="Edited while published.")

    [event] = published_events(events)
    assert event.payload["article_id"] == str(article.pk)
    assert event.payload["slug"] == article.slug
    assert event.payload["changes"]["status"] == ["DRAFT", "PUBLISHED"]
    assert event.actor == str(agent.pk)
    article.refresh_from_db()
    assert article.published_at is not None


def test_republishing_keeps_the_first_publication_date(tenant, events, run_on_commit):
    with run_on_commit():
        article = ArticleFactory(status="PUBLISHED")
    first = Article.objects.get(pk=article.pk).published_at
    with run_on_commit():
        kb_article_update(article=article, actor=AgentFactory(), status="ARCHIVED")
        kb_article_update(article=article, actor=AgentFactory(), status="PUBLISHED")

    assert Article.objects.get(pk=article.pk).published_at == first
    assert len(published_events(events)) == 2  # created published, then published again


def test_customers_cannot_write_articles(tenant):
    with pytest.raises(PermissionDenied):
        kb_article_create(actor=CustomerFactory(), title="Mine")
    article = ArticleFactory()
    with pytest.raises(PermissionDenied):
        kb_article_update(article=article, actor=CustomerFactory(), title="Hijacked")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"status": "LIVE"}, "status"),
        ({"visibility": "SECRET"}, "visibility"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "search"}, "slug"),
        ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"excerpt": "x" * 501}, "excerpt"),
    ],
)
def test_invalid_changes_are_refused_with_the_field_named(tenant, changes, field):
    article = ArticleFactory()
    with pytest.raises(DomainError) as error:
        kb_article_update(article=article, actor=AgentFactory(), **changes)
    assert field in error.value.errors


def test_slugs_are_derived_unique_and_shared_with_categories(tenant):
    KBCategoryFactory(name="Billing")  # slug "billing"
    first = ArticleFactory(title="Billing")
    second = ArticleFactory(title="Billing")

    assert first.slug == "billing-2"
    assert second.slug == "billing-3"
    with pytest.raises(DomainError):
        kb_article_update(article=second, actor=AgentFactory(), slug="billing-2")
    with pytest.raises(DomainError):
        kb_category_create(actor=AgentFactory(), name="Other", slug="billing-2")


def test_written_excerpt_is_kept_and_an_empty_one_follows_the_body(tenant):
    article = ArticleFactory(body="Body text.", excerpt="Hand written.")
    kb_article_update(article=article, actor=AgentFactory(), body="Changed body.")
    article.refresh_from_db()
    assert article.excerpt == "Hand written."

    kb_article_update(article=article, actor=AgentFactory(), excerpt="")
    article.refresh_from_db()
    assert article.excerpt == "Changed body." and article.excerpt_is_auto


def test_tags_are_normalized(tenant):
    article = ArticleFactory(tags=[" Billing ", "billing", "VAT  number", ""])
    assert article.tags == ["billing", "vat number"]
    assert article.tags_text == "billing vat number"


def test_categories_nest_one_level_only(tenant):
    agent = AgentFactory()
    top = kb_category_create(actor=agent, name="Email")
    child = kb_category_create(actor=agent, name="Clients", parent=top)
    other = kb_category_create(actor=agent, name="Domains")

    with pytest.raises(DomainError) as error:
        kb_category_create(actor=agent, name="Outlook", parent=child)
    assert "parent" in error.value.errors
    with pytest.raises(DomainError):
        kb_category_update(category=top, actor=agent, parent=other)  # top has children
    with pytest.raises(DomainError):
        kb_category_update(category=other, actor=agent, parent=other)
    assert kb_category_update(category=other, actor=agent, parent=top).parent == top


def test_categories_are_ordered_by_position_then_name(tenant):
    from knowledgebase.models import Category

    agent = AgentFactory()
    kb_category_create(actor=agent, name="Zeta", position=0)
    kb_category_create(actor=agent, name="Alpha", position=5)
    kb_category_create(actor=agent, name="Beta", position=0)

    assert list(Category.objects.values_list("name", flat=True)) == ["Beta", "Zeta", "Alpha"]


def test_revision_numbers_are_consecutive(tenant):
    article = ArticleFactory(body="v1")
    for n in range(2, 6):
        kb_article_update(article=article, actor=AgentFactory(), body=f"v{n}")

    numbers = ArticleRevision.objects.filter(article=article).values_list("number", flat=True)
    assert sorted(numbers) == [1, 2, 3, 4, 5]
