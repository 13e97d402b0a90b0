"""Views are counted in the cache and flushed by a job; votes are one per reader."""

import time

import pytest
from django.db import IntegrityError

from knowledgebase.models import Article, ArticleFeedback
from knowledgebase.services import (
    kb_article_feedback_submit,
    kb_article_view_record,
    kb_article_views_flush,
)
from knowledgebase.services.engagement import VIEW_BUCKET_SECONDS
from panel1 import jobs
from panel1.exceptions import DomainError
from tests.factories import CustomerFactory
from tests.factories.knowledgebase import ArticleFactory


def later() -> float:
    """A time at which the current buckets are closed. Taken when asked, not at import: in a
    long suite run the import-time value is already in the past when these tests run."""
    return time.time() + 3 * VIEW_BUCKET_SECONDS


def views(article):
    return Article.objects.get(pk=article.pk).view_count


def test_views_are_buffered_then_flushed(tenant, django_assert_num_queries):
    article = ArticleFactory()
    with django_assert_num_queries(0):
        for n in range(5):
            kb_article_view_record(article=article, viewer=f"s:{n}")
    assert views(article) == 0

    assert kb_article_views_flush() == 0  # the bucket is still open
    assert kb_article_views_flush(now=later()) == 5
    assert views(article) == 5


def test_a_reader_counts_once_per_half_hour(tenant):
    article = ArticleFactory()

    assert kb_article_view_record(article=article, viewer="u:1") is True
    assert kb_article_view_record(article=article, viewer="u:1") is False
    kb_article_view_record(article=article, viewer="u:2")
    kb_article_views_flush(now=later())

    assert views(article) == 2


def test_flushing_twice_adds_nothing_more(tenant):
    first, second = ArticleFactory(), ArticleFactory()
    for n in range(3):
        kb_article_view_record(article=first, viewer=f"s:{n}")
    kb_article_view_record(article=second, viewer="s:x")

    assert kb_article_views_flush(now=later()) == 4
    assert kb_article_views_flush(now=later()) == 0
    assert (views(first), views(second)) == (3, 1)


def test_views_of_separate_buckets_all_arrive(tenant):
    article = ArticleFactory()
    start = time.time()
    kb_article_view_record(article=article, viewer="a", now=start)
    kb_article_view_record(article=article, viewer="b", now=start + VIEW_BUCKET_SECONDS)

    kb_article_views_flush(now=start + 4 * VIEW_BUCKET_SECONDS)

    assert views(article) == 2


def test_flush_runs_as_a_scheduled_per_tenant_job(tenant):
    spec = {s.name: s for s in jobs.registered_schedules()}["kb.views_flush"]
    assert spec.per_tenant and spec.minutes == 5
    article = ArticleFactory()
    kb_article_view_record(article=article, viewer="s:1", now=time.time() - 3 * 300)

    jobs.run_in_schema(tenant.schema_name, spec.func)

    assert views(article) == 1


def test_opening_an_article_counts_a_view_without_writing_it(tenant, api_client, tenant_client):
    article = ArticleFactory()
    api_client().get(f"/api/v1/kb/articles/{article.slug}/")
    tenant_client(CustomerFactory()).get(f"/kb/{article.slug}/")
    tenant_client(CustomerFactory()).get(f"/kb/{article.slug}/")
    assert views(article) == 0

    kb_article_views_flush(now=later())

    assert views(article) == 3


def test_a_vote_counts_once_and_can_change(tenant):
    article = ArticleFactory()
    carol, dave = CustomerFactory(), CustomerFactory()

    kb_article_feedback_submit(article=article, helpful=True, user=carol)
    kb_article_feedback_submit(article=article, helpful=True, user=carol)
    kb_article_feedback_submit(article=article, helpful=False, user=dave)
    kb_article_feedback_submit(article=article, helpful=False, user=carol)
    kb_article_feedback_submit(article=article, helpful=True, session_key="s1")

    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 2)
    assert ArticleFeedback.objects.filter(article=article).count() == 3


def test_an_anonymous_vote_needs_a_session(tenant):
    with pytest.raises(DomainError):
        kb_article_feedback_submit(article=ArticleFactory(), helpful=True)


def test_the_database_refuses_a_second_vote_row(tenant):
    article = ArticleFactory()
    customer = CustomerFactory()
    ArticleFeedback.objects.create(article=article, user=customer, helpful=True)
    with pytest.raises(IntegrityError):
        ArticleFeedback.objects.create(article=article, user=customer, helpful=False)


def test_page_vote_with_htmx_answers_the_thank_you_fragment(tenant, tenant_client):
    article = ArticleFactory()
    client = tenant_client()

    answer = client.post(f"/kb/{article.slug}/feedback/", {"helpful": "1"}, HTTP_HX_REQUEST="true")

    assert answer.status_code == 200
    assert "Glad it helped" in answer.content.decode()
    page = client.get(f"/kb/{article.slug}/").content.decode()
    assert "Change my answer" in page  # the session remembers the vote
    article.refresh_from_db()
    assert article.helpful_count == 1
