import pytest
from django.db import connection

from knowledgebase import search
from knowledgebase.search import article_search, article_suggest, correct_query
from knowledgebase.services import kb_search_config_sync
from tests.factories import AgentFactory, CustomerFactory
from tests.factories.knowledgebase import ArticleFactory, KBCategoryFactory


def titles(results):
    return [hit.article.title for hit in results.hits]


def test_title_hit_outranks_body_hit(tenant):
    body_hit = ArticleFactory(
        title="Account basics", body="Sometimes a password reset email lands in spam."
    )
    title_hit = ArticleFactory(title="Password rules", body="Use twelve characters or more.")

    results = article_search(user=None, query="password")

    assert titles(results) == [title_hit.title, body_hit.title]
    assert results.hits[0].rank > results.hits[1].rank


def test_excerpt_and_tag_hits_rank_between_title_and_body(tenant):
    ArticleFactory(title="Body only", body="Configure the firewall in the panel.")
    ArticleFactory(title="Tagged", body="Nothing relevant here.", tags=["firewall"])
    ArticleFactory(title="Firewall setup", body="Nothing relevant here either.")

    assert titles(article_search(user=None, query="firewall")) == [
        "Firewall setup",
        "Tagged",
        "Body only",
    ]


def test_quoted_phrase_matches_words_in_order_only(tenant):
    ArticleFactory(title="Records", body="Add an MX record for your domain.")
    ArticleFactory(title="Other", body="The record of your MX changes is in the log.")

    assert titles(article_search(user=None, query='"mx record"')) == ["Records"]
    assert len(article_search(user=None, query="mx record").hits) == 2


def test_minus_excludes_a_word_and_or_widens(tenant):
    ArticleFactory(title="Outlook setup", body="Email settings for Outlook.")
    ArticleFactory(title="Thunderbird setup", body="Email settings for Thunderbird.")
    ArticleFactory(title="Webmail", body="Read email in the browser.")

    assert sorted(titles(article_search(user=None, query="email -outlook"))) == [
        "Thunderbird setup",
        "Webmail",
    ]
    assert sorted(titles(article_search(user=None, query="outlook or thunderbird"))) == [
        "Outlook setup",
        "Thunderbird setup",
    ]


def test_exclusion_applies_to_the_body_of_a_title_match(tenant):
    ArticleFactory(title="Email on your phone", body="Use the Outlook app or the built-in one.")
    ArticleFactory(title="Email forwarding", body="Forward to another address.")

    assert titles(article_search(user=None, query="email -outlook")) == ["Email forwarding"]


def test_highlight_marks_matches_and_escapes_article_text(tenant):
    ArticleFactory(
        title="Scripts",
        body="Paste `<script>alert(1)</script>` into the **password** field & press enter.",
    )

    hit = article_search(user=None, query="password").hits[0]

    assert "<mark>password</mark>" in hit.highlight
    unmarked = hit.highlight.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in unmarked and ">" not in unmarked
    assert "field &amp; press" in unmarked


def test_highlight_comes_from_the_part_of_a_long_body_that_matches(tenant):
    filler = " ".join(["Lorem ipsum dolor sit amet."] * 60)
    ArticleFactory(title="Long", body=f"{filler}\n\nThe DKIM key is published for you.")

    hit = article_search(user=None, query="dkim").hits[0]

    assert hit.highlight.startswith("… ")
    assert "<mark>DKIM</mark>" in hit.highlight


def test_typo_is_corrected_against_the_tenant_vocabulary(tenant):
    ArticleFactory(title="Reset your password", body="Use the forgot password link.")

    results = article_search(user=None, query="pasword resett")

    assert results.corrected is True
    assert results.did_you_mean == "password reset"
    assert titles(results) == ["Reset your password"]


def test_correction_is_only_offered_when_the_query_found_a_little(tenant):
    ArticleFactory(title="Domain transfer", body="Ask for the auth code.")
    ArticleFactory(title="Domain renewal", body="Renews every year.")
    ArticleFactory(title="Tranfer typo page", body="An article that misspells the word.")

    results = article_search(user=None, query="tranfer")

    assert titles(results) == ["Tranfer typo page"]  # what was asked is kept
    assert results.corrected is False
    assert results.did_you_mean == ""  # "tranfer" is in the vocabulary: nothing to correct


def test_query_without_typos_or_results_gets_no_suggestion(tenant):
    ArticleFactory(title="Reset your password")

    results = article_search(user=None, query="kubernetes")

    assert results.total == 0 and results.did_you_mean == "" and not results.corrected


def test_correction_keeps_operators_quotes_and_exclusions():
    vocabulary = {"password": 5, "reset": 3, "outlook": 2}

    assert correct_query('"pasword reset" -outlok or resett', vocabulary) == (
        '"password reset" -outlook or reset'
    )
    assert correct_query("password", vocabulary) is None
    assert correct_query("zzzzzz", vocabulary) is None


def test_correction_prefers_the_more_frequent_of_equally_close_words():
    assert correct_query("bat", {"bad": 1, "cat": 9, "hat": 2}) == "cat"


def test_vocabulary_never_contains_words_the_reader_may_not_see(tenant):
    ArticleFactory(title="Public article", body="Visible words.")
    ArticleFactory(title="Secret escalation", body="Zanzibar procedure.", visibility="INTERNAL")
    ArticleFactory(title="Customer perks", body="Loyalty programme.", visibility="CUSTOMERS")

    assert "zanzibar" not in search.vocabulary_for(None)
    assert "loyalty" not in search.vocabulary_for(None)
    assert "loyalty" in search.vocabulary_for(CustomerFactory())
    assert "zanzibar" not in search.vocabulary_for(CustomerFactory())
    assert "zanzibar" in search.vocabulary_for(AgentFactory())


def test_internal_typo_does_not_surface_to_customers(tenant):
    ArticleFactory(title="Zanzibar escalation", visibility="INTERNAL")

    results = article_search(user=CustomerFactory(), query="zanzibarr")

    assert results.total == 0 and results.did_you_mean == ""


def test_search_respects_visibility_and_status_in_the_same_query(tenant):
    ArticleFactory(title="Refund public")
    ArticleFactory(title="Refund customers", visibility="CUSTOMERS")
    ArticleFactory(title="Refund internal", visibility="INTERNAL")
    ArticleFactory(title="Refund draft", status="DRAFT")
    ArticleFactory(title="Refund archived", status="ARCHIVED")

    def found(user):
        return sorted(titles(article_search(user=user, query="refund")))

    assert found(None) == ["Refund public"]
    assert found(CustomerFactory()) == ["Refund customers", "Refund public"]
    assert found(AgentFactory()) == ["Refund customers", "Refund internal", "Refund public"]


def test_category_filter_includes_subcategories(tenant):
    billing = KBCategoryFactory(name="Billing")
    invoices = KBCategoryFactory(name="Invoices", parent=billing)
    ArticleFactory(title="Invoice PDF", category=invoices)
    ArticleFactory(title="Invoice address", category=billing)
    ArticleFactory(title="Invoice email", category=None)

    results = article_search(user=None, query="invoice", category=billing)

    assert sorted(titles(results)) == ["Invoice PDF", "Invoice address"]


def test_a_frequent_term_ranks_a_bounded_set_of_title_matches_first(tenant, monkeypatch):
    monkeypatch.setattr(search, "BODY_CANDIDATES", 5)
    monkeypatch.setattr(search, "HEAD_CANDIDATES", 3)
    for n in range(6):
        ArticleFactory(title=f"Article {n}", body="Everything mentions billing.")
    for n in range(3):
        ArticleFactory(title=f"Billing overview {n}")

    results = article_search(user=None, query="billing", limit=10)

    assert (results.total, results.exact) == (3, False)
    assert sorted(titles(results)) == [f"Billing overview {n}" for n in range(3)]


def test_body_matches_join_when_few_titles_match_and_the_count_is_exact(tenant, monkeypatch):
    monkeypatch.setattr(search, "BODY_CANDIDATES", 5)
    monkeypatch.setattr(search, "HEAD_CANDIDATES", 3)
    for n in range(3):
        ArticleFactory(title=f"Article {n}", body="This one mentions billing.")
    ArticleFactory(title="Billing overview")

    results = article_search(user=None, query="billing")
    assert (results.total, results.exact) == (4, True)
    assert titles(results)[0] == "Billing overview"

    for n in range(3):
        ArticleFactory(title=f"More {n}", body="Billing again.")
    results = article_search(user=None, query="billing")
    assert results.exact is False and results.total <= 6


def test_paging_through_results(tenant):
    for n in range(5):
        ArticleFactory(title=f"Backup guide {n}")

    first = article_search(user=None, query="backup", limit=2)
    third = article_search(user=None, query="backup", limit=2, offset=4)

    assert first.total == third.total == 5
    assert len(first.hits) == 2 and len(third.hits) == 1
    assert not set(titles(first)) & set(titles(third))


@pytest.mark.parametrize("query", ["", "   ", "-", '"', "or", "the", "!!!", "a" * 400])
def test_odd_queries_never_fail(tenant, query):
    ArticleFactory(title="The article")

    results = article_search(user=None, query=query)

    assert results.total >= 0


def test_tenant_search_config_is_used_and_articles_are_reindexed(tenant):
    article = ArticleFactory(title="Running servers", body="The server runs.")
    assert titles(article_search(user=None, query="run")) == ["Running servers"]  # stemmed

    tenant.kb_search_config = "simple"
    tenant.save(update_fields=["kb_search_config"])
    try:
        assert kb_search_config_sync() == 1
        article.refresh_from_db()
        assert article.search_config == "simple"
        unstemmed = article_search(user=None, query="run", correct_typos=False)
        assert titles(unstemmed) == []  # no stemming now
        assert titles(article_search(user=None, query="running")) == ["Running servers"]
        assert kb_search_config_sync() == 0
    finally:
        tenant.kb_search_config = "english"
        tenant.save(update_fields=["kb_search_config"])


def test_unknown_search_config_falls_back_to_english(tenant):
    tenant.kb_search_config = "klingon"
    try:
        assert search.search_config() == "english"
    finally:
        tenant.kb_search_config = "english"


def test_suggestions_match_free_ticket_text(tenant):
    ArticleFactory(title="Update your payment method", body="Cards, PayPal and SEPA.")
    ArticleFactory(title="Understanding your invoice", body="VAT and prorated charges.")
    ArticleFactory(title="Set up Outlook", body="IMAP and SMTP settings.")
    ArticleFactory(title="Internal refund playbook", body="Invoice refunds.", visibility="INTERNAL")

    found = article_suggest(
        user=CustomerFactory(),
        text="Hello, my last invoice shows VAT although I entered our VAT number. Thanks!",
    )

    assert [a.title for a in found][:1] == ["Understanding your invoice"]
    assert "Internal refund playbook" not in [a.title for a in found]
    assert article_suggest(user=None, text="   ") == []


def test_suggestions_return_at_most_five(tenant):
    for n in range(8):
        ArticleFactory(title=f"DNS record {n}")

    assert len(article_suggest(user=None, text="dns record help")) == 5


def test_search_takes_two_round_trips_and_leaves_the_planner_as_it_was(
    tenant, django_assert_max_num_queries
):
    for n in range(3):
        ArticleFactory(title=f"Password {n}")
    # Each cursor also sets the tenant's search_path (django-tenants): 2 x 2.
    with django_assert_max_num_queries(4):
        assert article_search(user=None, query="password").total == 3
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"  # the planner setting does not leak


def test_vocabulary_follows_published_content_and_skips_unchanged_rebuilds(tenant, run_on_commit):
    from knowledgebase import tasks

    with run_on_commit():
        ArticleFactory(title="Nameservers explained")
    assert "nameservers" in search.vocabulary_for(None)  # rebuilt after publishing

    assert tasks.vocabulary_refresh_task() is None  # nothing changed since
    with run_on_commit():
        ArticleFactory(title="Glue records", status="DRAFT")
    assert tasks.vocabulary_refresh_task() is not None
    assert "glue" not in search.vocabulary_for(None)  # drafts never enter it


def test_kb_reindex_command_restamps_after_a_config_change(tenant):
    from io import StringIO

    from django.core.management import call_command

    from knowledgebase.models import Article

    article = ArticleFactory(title="Running servers")
    Article.objects.filter(pk=article.pk).update(search_config="simple")  # a stale stamp
    out = StringIO()

    call_command("kb_reindex", schema=tenant.schema_name, stdout=out)

    connection.set_tenant(tenant)
    assert Article.objects.get(pk=article.pk).search_config == "english"
    assert "1 article(s) re-indexed" in out.getvalue()
