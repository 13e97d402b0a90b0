"""A "No" vote asks what was missing; the answer is kept for the KB's editors."""

from __future__ import annotations

import pytest

from knowledgebase.models import ArticleFeedback
from knowledgebase.services import kb_article_feedback_submit
from panel1.exceptions import DomainError
from tests.factories import CustomerFactory
from tests.factories.knowledgebase import ArticleFactory


def _vote(client, article, **data):
    return client.post(f"/kb/{article.slug}/feedback/", data, HTTP_HX_REQUEST="true")


def test_a_no_vote_asks_what_was_missing_and_keeps_the_answer(tenant, tenant_client):
    article = ArticleFactory()
    type(article).objects.filter(pk=article.pk).update(helpful_count=2)
    client = tenant_client()

    asked = _vote(client, article, helpful="0").content.decode()

    assert "What was missing or unclear?" in asked
    assert 'id="kb-feedback-comment"' in asked and "autofocus" in asked
    assert "found this helpful" not in asked  # no "2 people found this helpful" after a No
    thanked = _vote(client, article, helpful="0", comment="  The screenshots are outdated. ")
    assert "we will use your note" in thanked.content.decode()
    vote = ArticleFeedback.objects.get(article=article)
    assert (vote.helpful, vote.comment) == (False, "The screenshots are outdated.")
    article.refresh_from_db()
    assert article.not_helpful_count == 1  # the comment is no second vote


def test_the_box_comes_back_on_the_page_until_answered_without_stealing_focus(
    tenant, tenant_client
):
    article = ArticleFactory()
    client = tenant_client(CustomerFactory())
    _vote(client, article, helpful="0")

    page = client.get(f"/kb/{article.slug}/").content.decode()

    assert 'id="kb-feedback-comment"' in page and "autofocus" not in page


def test_turning_the_vote_to_yes_clears_the_comment(tenant):
    article, carol = ArticleFactory(), CustomerFactory()
    kb_article_feedback_submit(article=article, helpful=False, user=carol, comment="Too short")

    kb_article_feedback_submit(article=article, helpful=True, user=carol)

    vote = ArticleFeedback.objects.get(article=article, user=carol)
    assert (vote.helpful, vote.comment) == (True, "")


def test_an_overlong_comment_is_refused_with_a_field_error(tenant, tenant_client):
    article = ArticleFactory()
    with pytest.raises(DomainError) as caught:
        kb_article_feedback_submit(
            article=article, helpful=False, session_key="s1", comment="x" * 2001
        )
    assert "comment" in caught.value.errors

    answer = _vote(tenant_client(), article, helpful="0", comment="x" * 2001)
    assert answer.status_code == 200 and 'aria-invalid="true"' in answer.content.decode()


def test_the_api_takes_the_comment_with_a_no(tenant, api_client):
    article = ArticleFactory()
    customer = CustomerFactory()

    answer = api_client(customer).post(
        f"/api/v1/kb/articles/{article.slug}/feedback/",
        {"helpful": False, "comment": "No mention of Outlook"},
        format="json",
    )

    assert answer.status_code == 204
    assert ArticleFeedback.objects.get(article=article).comment == "No mention of Outlook"
