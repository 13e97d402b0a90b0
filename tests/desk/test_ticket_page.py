"""The ticket page: thread, properties in place, reply box, canned responses, plugin slots."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledgebase.models import Article
from panel1.plugins import ui_slots
from tests.desk.conftest import HTMX
from tests.factories.desk import CannedResponseFactory
from tickets import services
from tickets.models import Message, MessageType, Ticket


@pytest.fixture
def talk(ticket, agent, customer):
    """A conversation: the request, a staff reply, a note, a customer answer, a system line."""
    services.message_add(ticket=ticket, actor=agent, content="Have you tried **turning it off**?")
    services.message_add(
        ticket=ticket, actor=agent, content="Toner is low", message_type=MessageType.INTERNAL_NOTE
    )
    services.message_add(ticket=ticket, actor=customer, content="Yes, still jammed.")
    services.message_add(
        ticket=ticket,
        actor=None,
        content="Escalated by the night shift",
        message_type=MessageType.SYSTEM,
    )
    return ticket


def test_thread_shows_kinds_apart_and_folds_system_events(desk, talk):
    page = desk.get(f"/desk/tickets/{talk.number}/").content.decode()
    assert page.count('class="msg msg-customer_reply"') == 2
    assert page.count('class="msg msg-staff_reply"') == 1
    assert page.count('class="msg msg-internal_note"') == 1
    assert "<strong>turning it off</strong>" in page  # Markdown rendered
    assert '<li class="events">' in page and "<details>" in page
    assert "Escalated by the night shift" in page
    assert "Status: Open → In progress" in page  # an audit row, folded into the thread


def test_requester_panel_lists_their_other_tickets(desk, talk, customer):
    from tests.factories import TicketFactory

    other = TicketFactory(requester=customer, subject="Another issue")
    page = desk.get(f"/desk/tickets/{talk.number}/").content.decode()
    assert other.number in page and customer.email in page


def test_properties_change_in_place(desk, ticket, agent, other_agent, category):
    url = f"/desk/tickets/{ticket.number}/props/"
    answer = desk.post(url, {"priority": "HIGH"}, **HTMX)
    assert answer.status_code == 200 and answer["HX-Trigger"] == "ticket-changed"
    assert b'id="ticket-props"' in answer.content
    desk.post(url, {"status": "ON_HOLD", "reason": "waiting for parts"}, **HTMX)
    desk.post(url, {"category": str(category.pk)}, **HTMX)
    desk.post(url, {"assignee": str(other_agent.pk)}, **HTMX)
    desk.post(url, {"tags": "Printer, floor-3"}, **HTMX)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status, ticket.category, ticket.assignee) == (
        "HIGH",
        "ON_HOLD",
        category,
        other_agent,
    )
    assert ticket.tags == ["printer", "floor-3"]
    reasons = set(ticket.history.values_list("reason", flat=True))
    assert "waiting for parts" in reasons


def test_a_refused_property_change_shows_the_error(desk, ticket, supervisor):
    services.ticket_status_change(ticket=ticket, actor=supervisor, status="CLOSED")
    answer = desk.post(f"/desk/tickets/{ticket.number}/props/", {"status": "OPEN"}, **HTMX)
    assert b"cannot go from CLOSED to OPEN" in answer.content
    assert "HX-Trigger" not in answer


def test_assign_to_me_and_ccs(desk, ticket, agent):
    desk.post(f"/desk/tickets/{ticket.number}/assign-me/", **HTMX)
    desk.post(f"/desk/tickets/{ticket.number}/cc/", {"email": "boss@customer.test"}, **HTMX)
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    cc = ticket.cc.get()
    assert cc.email == "boss@customer.test" and cc.is_customer
    desk.post(f"/desk/tickets/{ticket.number}/cc/", {"remove": str(cc.pk)}, **HTMX)
    assert not ticket.cc.exists()


def test_reply_and_set_status_in_one_action(desk, ticket, events):
    answer = desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {
            "content": "We sent a technician.",
            "status_after": "WAITING_ON_CUSTOMER",
            "time_spent": "15",
        },
        **HTMX,
    )
    assert b"Reply sent." in answer.content and answer["HX-Trigger"] == "ticket-changed"
    ticket.refresh_from_db()
    assert ticket.status == "WAITING_ON_CUSTOMER"
    reply = ticket.messages.get(message_type=MessageType.STAFF_REPLY)
    assert (reply.content, reply.time_spent) == ("We sent a technician.", 15)
    assert {"message.added", "ticket.status.changed"} <= {e.name for e in events}


def test_reply_and_status_are_all_or_nothing(desk, ticket, supervisor):
    services.ticket_status_change(ticket=ticket, actor=supervisor, status="RESOLVED")
    answer = desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "One more thing", "status_after": "WAITING_ON_CUSTOMER"},
        **HTMX,
    )
    assert b"cannot go from RESOLVED to WAITING_ON_CUSTOMER" in answer.content
    assert b"One more thing" in answer.content  # the text stays in the box
    assert not ticket.messages.filter(message_type=MessageType.STAFF_REPLY).exists()


def test_internal_note_stays_internal(desk, ticket):
    desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Customer is a VIP", "internal": "on"},
        **HTMX,
    )
    note = ticket.messages.get(message_type=MessageType.INTERNAL_NOTE)
    assert note.content == "Customer is a VIP"
    assert Ticket.objects.get(pk=ticket.pk).status == "OPEN"  # a note starts no work


def test_reply_without_javascript_redirects_back(desk, ticket):
    answer = desk.post(f"/desk/tickets/{ticket.number}/reply/", {"content": "Plain form"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/desk/tickets/{ticket.number}/"


def test_upload_with_reply_and_download(desk, ticket):
    upload = SimpleUploadedFile("log.txt", b"line 1\nline 2\n", content_type="text/plain")
    desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Log attached", "attachments": [upload]},
        **HTMX,
    )
    attachment = Message.objects.get(content="Log attached").attachments.get()
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f"/desk/attachments/{attachment.pk}/" in page and "log.txt" in page
    download = desk.get(f"/desk/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"line 1\nline 2\n"


def test_time_spent_is_summed(desk, ticket, agent):
    for minutes in (5, 20):
        services.message_add(ticket=ticket, actor=agent, content="work", time_spent=minutes)
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "<strong data-time-spent>25</strong>" in page


def test_canned_responses_are_searchable_with_placeholders_filled(desk, ticket, agent, other_agent):
    CannedResponseFactory(title="Printer help", shortcut="printer")
    CannedResponseFactory(title="Refund done", shortcut="refund")
    CannedResponseFactory(title="Bobs own", owner=other_agent)
    CannedResponseFactory(title="Retired printer text", is_active=False)
    answer = desk.get(f"/desk/canned/?ticket={ticket.pk}&q=printer", **HTMX).content.decode()
    assert "Printer help" in answer
    assert "Refund done" not in answer and "Bobs own" not in answer and "Retired" not in answer
    first = ticket.requester.get_short_name()
    assert f"Hi {first}, about {ticket.number}: we are on it. {agent.get_full_name()}" in answer
    everything = desk.get(f"/desk/canned/?ticket={ticket.pk}", **HTMX).content.decode()
    assert "Printer help" in everything and "Refund done" in everything


def test_unknown_placeholders_stay_visible():
    from desk.placeholders import fill_placeholders

    text = fill_placeholders("{{ticket.number}} {{ secret.key }}", {("ticket", "number"): "N-1"})
    assert text == "N-1 {{ secret.key }}"


def test_preview_renders_markdown_sanitized(desk):
    answer = desk.post("/desk/preview/", {"content": "**bold** <script>alert(1)</script>"}, **HTMX)
    assert b"<strong>bold</strong>" in answer.content
    assert b"<script" not in answer.content


def test_ticket_sidebar_plugin_slot_renders_registered_components(desk, ticket, settings, tmp_path):
    (tmp_path / "crm.html").write_text('<section class="crm">CRM for {{ ticket.number }}</section>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    ui_slots.register("ticket.sidebar", key="crm", template="crm.html")
    ui_slots.register(
        "desk.dashboard",
        key="crm-dash",
        template="crm.html",
        context=lambda request, **kw: {"ticket": {"number": "dashboard"}},
    )
    try:
        page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
        assert f'<section class="crm">CRM for {ticket.number}</section>' in page
        assert "CRM for dashboard" in desk.get("/desk/").content.decode()
    finally:
        ui_slots.unregister("ticket.sidebar", key="crm")
        ui_slots.unregister("desk.dashboard", key="crm-dash")


@pytest.fixture
def without_kb_component():
    """The desk's own KB panel shows when no KB component is in the ticket sidebar."""
    saved = [c for c in ui_slots.components("ticket.sidebar") if c.key.startswith("kb")]
    for component in saved:
        ui_slots.unregister("ticket.sidebar", key=component.key)
    yield
    for c in saved:
        ui_slots.register(
            "ticket.sidebar", key=c.key, template=c.template, context=c.context, order=c.order
        )


def test_kb_panel_is_hidden_while_the_kb_renders_its_own_component(desk, ticket):
    assert b'id="kb-suggestions"' not in desk.get(f"/desk/tickets/{ticket.number}/").content


def test_desk_kb_panel_suggests_insertable_links(desk, ticket, without_kb_component):
    Article.objects.create(
        title="Clearing paper jams",
        slug="paper-jams",
        body="Printer jammed? Open the printer tray and remove the jammed paper.",
        status="PUBLISHED",
        visibility="PUBLIC",
    )
    Article.objects.create(
        title="Draft about printers",
        slug="printer-draft",
        body="Printer jammed paper printer.",
        status="DRAFT",
        visibility="PUBLIC",
    )
    assert b"kb-suggestions" in desk.get(f"/desk/tickets/{ticket.number}/").content
    answer = desk.get(f"/desk/tickets/{ticket.number}/kb/", **HTMX).content.decode()
    assert 'href="/kb/paper-jams/"' in answer and "Clearing paper jams" in answer
    assert 'data-insert-link data-title="Clearing paper jams"' in answer
    assert "printer-draft" not in answer


def test_knowledge_base_articles_show_in_the_ticket_sidebar(desk, ticket):
    """The KB's own sidebar component suggests published articles."""
    Article.objects.create(
        title="Printer jammed? Clear the paper path",
        slug="printer-jammed",
        body="Open the tray and remove the jammed sheet from the printer.",
        excerpt="Clear a paper jam.",
        status="PUBLISHED",
        visibility="PUBLIC",
    )
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    # The page does not wait for the search: the component loads the articles after it.
    url = f"/kb/tickets/{ticket.pk}/suggestions/"
    assert f'class="kb-ticket-suggestions-slot" hx-get="{url}" hx-trigger="load"' in page
    assert "/kb/printer-jammed/" not in page
    assert 'id="kb-suggestions"' not in page  # the desk's own panel steps aside
    answer = desk.get(url, **HTMX).content.decode()
    assert "kb-ticket-suggestions" in answer and 'href="/kb/printer-jammed/"' in answer


def test_ticket_sidebar_articles_only_for_readers_of_the_ticket(ticket, tenant_client):
    from tests.factories import CustomerFactory

    Article.objects.create(
        title="Printer jammed? Clear the paper path",
        slug="printer-jammed",
        body="Open the tray and remove the jammed sheet from the printer.",
        status="PUBLISHED",
        visibility="PUBLIC",
    )
    url = f"/kb/tickets/{ticket.pk}/suggestions/"
    assert "printer-jammed" in tenant_client(ticket.requester).get(url).content.decode()
    assert tenant_client(CustomerFactory()).get(url).status_code == 404
    assert tenant_client().get(url).status_code == 404
