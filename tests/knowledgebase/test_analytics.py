"""Every search is recorded; then whether the reader opened an article or filed a ticket."""

from datetime import timedelta

from django.utils import timezone

from knowledgebase import selectors
from knowledgebase.models import SearchOutcome, SearchRecord
from knowledgebase.services import kb_search_outcome_record, kb_search_record
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory
from tests.factories.knowledgebase import ArticleFactory


def test_page_search_is_recorded_and_opening_a_result_is_its_outcome(tenant, tenant_client):
    article = ArticleFactory(title="Reset your password")
    customer = CustomerFactory()
    client = tenant_client(customer)

    page = client.get("/kb/search/", {"q": "  Reset   PASSWORD "}).content.decode()

    record = SearchRecord.objects.get()
    assert (record.query, record.normalized_query) == ("Reset PASSWORD", "reset password")
    assert (record.result_count, record.source, record.user) == (1, "PAGE", customer)
    link = f"/kb/{article.slug}/?sid={record.pk}"
    assert link in page

    client.get(link)
    record.refresh_from_db()
    assert record.outcome == SearchOutcome.ARTICLE_OPENED
    assert record.opened_article == article


def test_api_search_outcome_through_search_id(tenant, api_client):
    article = ArticleFactory(title="DNS records")
    body = api_client().get("/api/v1/kb/articles/?search=dns").json()

    api_client().get(f"/api/v1/kb/articles/{article.slug}/?search_id={body['search_id']}")

    record = SearchRecord.objects.get()
    assert record.source == "API" and record.opened_article == article


def test_zero_result_searches_are_recorded_too(tenant, tenant_client):
    tenant_client().get("/kb/search/", {"q": "kubernetes"})

    record = SearchRecord.objects.get()
    assert record.result_count == 0 and record.user is None


def test_corrected_searches_keep_what_was_typed_and_the_correction(tenant, api_client):
    ArticleFactory(title="Invoice address")
    api_client().get("/api/v1/kb/articles/?search=invocie")

    record = SearchRecord.objects.get()
    assert (record.query, record.corrected_query, record.result_count) == (
        "invocie",
        "invoice",
        1,
    )


def test_ticket_filed_after_a_search_is_its_outcome(tenant, run_on_commit):
    customer = CustomerFactory()
    searched = kb_search_record(query="refund", result_count=0, source="PAGE", user=customer)
    other = kb_search_record(query="refund", result_count=0, source="PAGE", user=CustomerFactory())

    with run_on_commit():
        ticket = TicketFactory(requester=customer)

    searched.refresh_from_db()
    other.refresh_from_db()
    assert searched.outcome == SearchOutcome.TICKET_FILED and searched.ticket == ticket
    assert other.ticket_filed_at is None


def test_old_searches_and_tickets_filed_by_staff_do_not_count(tenant, run_on_commit):
    customer = CustomerFactory()
    old = kb_search_record(query="vat", result_count=2, source="PAGE", user=customer)
    SearchRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    recent = kb_search_record(query="vat", result_count=2, source="PAGE", user=customer)

    with run_on_commit():
        TicketFactory(requester=customer, actor=AgentFactory())  # filed for them by an agent

    recent.refresh_from_db()
    old.refresh_from_db()
    assert recent.ticket_filed_at is None and old.ticket_filed_at is None


def test_outcome_service_for_the_portal(tenant):
    record = kb_search_record(query="smtp", result_count=0, source="PORTAL")
    ticket = TicketFactory()

    assert kb_search_outcome_record(
        search_id=str(record.pk), outcome=SearchOutcome.TICKET_FILED, ticket=ticket
    )
    assert not kb_search_outcome_record(
        search_id=record.pk, outcome=SearchOutcome.TICKET_FILED, ticket=ticket
    )  # the first one counts
    assert not kb_search_outcome_record(search_id="garbage", outcome="TICKET_FILED")
    record.refresh_from_db()
    assert record.ticket == ticket


def test_top_queries_and_content_gaps(tenant):
    for query, results in [
        ("password", 3), ("Password", 3), ("password", 3), ("sms alerts", 0),
        ("sms alerts", 0), ("gdpr", 0), ("invoice", 2),
    ]:  # fmt: skip
        kb_search_record(query=query, result_count=results, source="PAGE")
    old = kb_search_record(query="ancient", result_count=0, source="PAGE")
    SearchRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))

    top = selectors.search_top_queries()
    gaps = selectors.search_zero_result_queries()

    assert [(row["normalized_query"], row["searches"]) for row in top[:2]] == [
        ("password", 3),
        ("sms alerts", 2),
    ]
    assert [(row["normalized_query"], row["searches"]) for row in gaps] == [
        ("sms alerts", 2),
        ("gdpr", 1),
    ]
    summary = selectors.search_summary()
    assert summary["searches"] == 7 and summary["zero_result_rate"] == 42.9


def test_insights_page_is_for_staff(tenant, tenant_client):
    kb_search_record(query="sms alerts", result_count=0, source="PAGE")

    page = tenant_client(AgentFactory()).get("/kb/insights/?days=7", follow=True)
    assert page.redirect_chain == [("/desk/admin/kb/insights/?days=7", 302)]
    assert page.status_code == 200 and "sms alerts" in page.content.decode()
    assert tenant_client(CustomerFactory()).get("/kb/insights/").status_code == 403
    assert tenant_client().get("/kb/insights/").status_code == 302


def test_admin_report_shows_top_queries_and_gaps(tenant, tenant_client):
    kb_search_record(query="gdpr export", result_count=0, source="PAGE")
    admin = tenant_client(AdminFactory())

    report = admin.get("/admin/knowledgebase/searchrecord/report/?days=7")
    listing = admin.get("/admin/knowledgebase/searchrecord/?found=no")

    assert report.status_code == 200 and "gdpr export" in report.content.decode()
    assert listing.status_code == 200 and "gdpr export" in listing.content.decode()
