"""The customer portal in real Chromium (Playwright driving Debian's /usr/bin/chromium).

A customer signs up, verifies the address from the mail, (with the KB app: finds a suggested
article), files a ticket with an attachment, sees the agent's reply but not the internal note,
replies, marks the ticket resolved and rates it; a second customer who tries the first one's
ticket and attachment URLs gets 404. Screenshots go to test-artifacts/ (git-ignored).

Live-server tests are transactional: pytest-django flushes the public tables after each one,
so the tenant and domain rows are restored here (the schemas stay), and the tenant schema's
tables are snapshotted before the test and put back after it, so nothing leaks into other tests.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

from panel1.tenants.models import Domain, Tenant
from panel1.tenants.services import ensure_public_tenant
from tests.conftest import TENANT_A, TENANT_B

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SNAPSHOT_SCHEMA = "browser_portal_snapshot"
PASSWORD = "a-Long-unusual-passphrase-77"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


# --- Fixtures: public rows back after each flush, tenant tables back after each test ---


def _public_rows(session_tenants) -> tuple[list[dict], list[dict]]:
    """The tenant and domain rows as stored (not the session's Tenant objects, which earlier
    tests may have changed in memory)."""
    connection.set_schema_to_public()
    ensure_public_tenant()
    for tenant, spec in zip(session_tenants, (TENANT_A, TENANT_B), strict=True):
        if not Tenant.objects.filter(pk=tenant.pk).exists():  # flushed by an earlier module
            Tenant.objects.bulk_create([tenant])
            Domain.objects.create(domain=spec["domain"], tenant=tenant, is_primary=True)
    return list(Tenant.objects.values()), list(Domain.objects.values())


def _restore_public_rows(rows) -> None:
    """Put back the public rows the flush removed, with their primary keys (other tests'
    objects carry them). bulk_create skips Tenant.save(), which would create the schema."""
    tenants, domains = rows
    connection.set_schema_to_public()
    present = set(Tenant.objects.values_list("pk", flat=True))
    Tenant.objects.bulk_create([Tenant(**row) for row in tenants if row["id"] not in present])
    present = set(Domain.objects.values_list("pk", flat=True))
    Domain.objects.bulk_create([Domain(**row) for row in domains if row["id"] not in present])


def _tables(cursor, schema: str) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
        [schema],
    )
    return [row[0] for row in cursor.fetchall()]


def _columns(cursor, schema: str, table: str) -> str:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
        "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [schema, table],
    )
    return ", ".join(f'"{row[0]}"' for row in cursor.fetchall())


def _snapshot_tenant_tables(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{SNAPSHOT_SCHEMA}" CASCADE')
        cursor.execute(f'CREATE SCHEMA "{SNAPSHOT_SCHEMA}"')
        for table in _tables(cursor, schema):
            cursor.execute(
                f'CREATE TABLE "{SNAPSHOT_SCHEMA}"."{table}" AS TABLE "{schema}"."{table}"'
            )


def _restore_tenant_tables(schema: str) -> None:
    # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: inside one transaction the
    # tables can be refilled in any order.
    with transaction.atomic(), connection.cursor() as cursor:
        tables = _tables(cursor, SNAPSHOT_SCHEMA)
        cursor.execute(
            "TRUNCATE " + ", ".join(f'"{schema}"."{t}"' for t in _tables(cursor, schema))
        )
        for table in tables:
            columns = _columns(cursor, schema, table)
            cursor.execute(
                f'INSERT INTO "{schema}"."{table}" ({columns}) '
                f'SELECT {columns} FROM "{SNAPSHOT_SCHEMA}"."{table}"'
            )
        cursor.execute(f'DROP SCHEMA "{SNAPSHOT_SCHEMA}" CASCADE')


@pytest.fixture(scope="module")
def public_rows(session_tenants, django_db_blocker):
    with django_db_blocker.unblock():
        rows = _public_rows(session_tenants)
    yield rows
    # After this module's last flush: later tests find their tenants again.
    with django_db_blocker.unblock():
        _restore_public_rows(rows)


@pytest.fixture
def live_tenant(public_rows, live_server, session_tenants, monkeypatch):
    """Tenant A served by the live server at http://alpha.test.localhost:<port>."""
    _restore_public_rows(public_rows)
    tenant = session_tenants[0]
    # Playwright's sync API runs an event loop in this thread; the ORM calls between browser
    # steps are ordinary blocking calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _snapshot_tenant_tables(tenant.schema_name)
    cache.clear()
    mail.outbox = []
    ARTIFACTS.mkdir(exist_ok=True)
    port = urlsplit(live_server.url).port
    yield SimpleNamespace(tenant=tenant, url=f"http://alpha.test.localhost:{port}")
    connection.set_schema_to_public()
    _restore_tenant_tables(tenant.schema_name)
    cache.clear()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=True)


def status_of(page, url: str) -> int:
    """GET `url` from inside the page (Chromium resolves *.localhost; Playwright's own HTTP
    client does not), with the page's cookies."""
    return page.evaluate("url => fetch(url, {credentials: 'same-origin'}).then(r => r.status)", url)


def link_in_last_mail(pattern: str) -> str:
    body = mail.outbox[-1].body
    return re.search(rf"https?://\S*{pattern}\S*", body).group(0)


def kb_article():
    """A published article the suggestions can offer, when the KB app is there."""
    from tickets.portal import kb

    if not kb.available():
        return None
    from knowledgebase.models import Article

    return Article.objects.create(
        title="Printer shows error E-42",
        slug="printer-error-e42",
        body="Open the tray, remove the jammed sheet, restart the printer.",
        excerpt="Clear the paper jam and restart.",
        status="PUBLISHED",
    )


# --- The walk-through ---


def test_customer_journey_through_the_portal(live_tenant, browser):
    from tests.factories import AgentFactory
    from tests.factories.portal import VerifiedCustomerFactory
    from tickets import services
    from tickets.models import Attachment, MessageType, SatisfactionRating, Status, Ticket

    base = live_tenant.url
    with schema_context(live_tenant.tenant.schema_name):
        agent = AgentFactory(email="alice@helpdesk.test", name="Alice Agent")
        article = kb_article()
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()

    # Sign up, then verify from the mail (which also logs the customer in).
    page.goto(base + "/account/signup/")
    page.fill("#id_name", "Nina Newcomer")
    page.fill("#id_email", "nina@newco.test")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    shot(page, "01-signup")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=Check your email")
    page.goto(link_in_last_mail("/account/verify/"))
    page.wait_for_selector("text=your email address is confirmed")
    shot(page, "02-verified-home")

    # Start a request; with the KB app, a suggestion appears and opening it is recorded.
    page.goto(base + "/tickets/new/")
    page.fill("#id_subject", "Printer error E-42")
    if article is not None:
        suggestion = page.wait_for_selector("#kb-suggestions a", timeout=5000)
        shot(page, "03-suggestions")
        suggestion.click()
        page.wait_for_load_state()
        assert "printer-error-e42" in page.url
        page.go_back()
        page.wait_for_selector("#id_subject")
        assert page.input_value("#id_subject") == "Printer error E-42"  # draft kept
    page.fill("#id_description", "The printer on floor 2 shows **E-42** after page 2.")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "printer-log.txt", "mimeType": "text/plain", "buffer": b"E-42 09:10"}],
    )
    shot(page, "04-new-ticket")
    page.click("text=Submit request")
    page.wait_for_selector("text=was received")
    shot(page, "05-ticket-filed")

    with schema_context(live_tenant.tenant.schema_name):
        ticket = Ticket.objects.get(requester__email="nina@newco.test")
        attachment = Attachment.objects.get(message__ticket=ticket)
        assert ticket.channel == "PORTAL"
        if article is not None:
            # The opened suggestion is in the search analytics; the ticket filed after it
            # means this search did not deflect.
            from knowledgebase.models import SearchRecord

            search = SearchRecord.objects.get(source="PORTAL")
            assert (search.opened_article_id, search.ticket_id) == (article.pk, ticket.pk)
        services.message_add(ticket=ticket, actor=agent, content="Please open tray 2 and retry.")
        services.message_add(
            ticket=ticket,
            actor=agent,
            content="INTERNAL: toner supplier is late",
            message_type=MessageType.INTERNAL_NOTE,
        )
    ticket_url = f"{base}/tickets/{ticket.number}/"
    attachment_url = f"{base}/attachments/{attachment.pk}/"

    # The agent's reply shows, the internal note does not; the file downloads.
    page.goto(ticket_url)
    page.wait_for_selector("text=Please open tray 2 and retry.")
    assert "INTERNAL: toner supplier is late" not in page.content()
    assert page.locator(".message-body strong", has_text="E-42").count() == 1
    assert status_of(page, attachment_url) == 200

    # Reply, mark resolved, rate.
    page.fill("#id_content", "Tray 2 was it. Thanks!")
    page.click("text=Send reply")
    page.wait_for_selector("text=Your reply was sent.")
    page.click("text=Mark as resolved")
    page.wait_for_selector("text=How did we do?")
    page.click(".stars label[for=id_rating_0]")  # the first choice is 5
    page.fill("#id_comment", "Fast and friendly.")
    shot(page, "06-rating")
    page.click("text=Send rating")
    page.wait_for_selector("text=You rated this request 5 out of 5.")
    shot(page, "07-rated")
    with schema_context(live_tenant.tenant.schema_name):
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        rating = SatisfactionRating.objects.get(ticket=ticket)
        assert (rating.rating, rating.comment) == (5, "Fast and friendly.")
        assert list(ticket.messages.values_list("message_type", flat=True)) == [
            MessageType.CUSTOMER_REPLY,
            MessageType.STAFF_REPLY,
            MessageType.INTERNAL_NOTE,
            MessageType.CUSTOMER_REPLY,
        ]

    page.goto(base + "/tickets/?status=closed")
    page.wait_for_selector(f"text={ticket.number}")
    shot(page, "07b-my-tickets-closed")

    # The same ticket on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.add_cookies(context.cookies())
    phone_page = phone.new_page()
    phone_page.goto(ticket_url)
    shot(phone_page, "08-ticket-on-phone")
    phone.close()

    # A second customer tries the first one's URLs.
    with schema_context(live_tenant.tenant.schema_name):
        VerifiedCustomerFactory(email="mallory@elsewhere.test")
    intruder = browser.new_context()
    intruder_page = intruder.new_page()
    intruder_page.goto(base + "/login/")
    intruder_page.fill("#id_username", "mallory@elsewhere.test")
    intruder_page.fill("#id_password", "pass-1234-word")
    intruder_page.click("button[type=submit]")
    intruder_page.wait_for_selector("text=My tickets")
    response = intruder_page.goto(ticket_url)
    shot(intruder_page, "09-intruder-404")
    assert response.status == 404
    assert "Printer error E-42" not in intruder_page.content()
    assert status_of(intruder_page, attachment_url) == 404
    intruder.close()
    context.close()
