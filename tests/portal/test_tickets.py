"""My tickets: filing, the conversation, replies, resolving, CCs."""

import pytest
from django.test import override_settings

from tests.factories import CategoryFactory, TicketFactory
from tests.factories.portal import VerifiedCustomerFactory, upload
from tickets import services
from tickets.models import Channel, MessageType, Priority, Status, Ticket


def new_ticket(client, **overrides):
    data = {"subject": "Printer jams on page 2", "description": "It shows **E-42**."}
    return client.post("/tickets/new/", {**data, **overrides})


def detail(client, ticket):
    return client.get(f"/tickets/{ticket.number}/")


# --- Filing a request ---


def test_customer_files_a_ticket_with_an_attachment(tenant_client, customer):
    category = CategoryFactory(name="Hardware")
    client = tenant_client(customer)

    response = new_ticket(
        client, category=str(category.pk), attachments=[upload("log.txt", b"E-42 at 09:10")]
    )

    ticket = Ticket.objects.get(requester=customer)
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/"
    assert (ticket.subject, ticket.channel, ticket.category) == (
        "Printer jams on page 2",
        Channel.PORTAL,
        category,
    )
    message = ticket.messages.get()
    assert message.content == "It shows **E-42**."
    assert [a.filename for a in message.attachments.all()] == ["log.txt"]
    page = detail(client, ticket).content.decode()
    assert "log.txt" in page
    assert "<strong>E-42</strong>" in page  # Markdown-lite rendered


def test_validation_errors_keep_everything_typed(tenant_client, customer):
    category = CategoryFactory(name="Hardware")
    response = new_ticket(
        tenant_client(customer),
        subject="   ",
        description="A long description I do not want to type again.",
        category=str(category.pk),
        attachments=[upload()],
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not Ticket.objects.exists()
    assert "This field is required." in html
    assert "A long description I do not want to type again." in html
    assert f'value="{category.pk}" selected' in html
    assert "attach them again" in html


@override_settings(ATTACHMENT_MAX_FILE_SIZE=10)
def test_oversized_attachments_are_refused_with_a_message_and_input_kept(tenant_client, customer):
    response = new_ticket(tenant_client(customer), attachments=[upload("big.bin", b"x" * 11)])

    html = response.content.decode()
    assert response.status_code == 200
    assert "big.bin is larger than" in html
    assert 'value="Printer jams on page 2"' in html
    assert not Ticket.objects.exists()


def test_priority_is_offered_only_when_the_tenant_allows_it(tenant_client, customer, tenant_flags):
    client = tenant_client(customer)
    assert 'name="priority"' not in client.get("/tickets/new/").content.decode()
    new_ticket(client, priority=Priority.URGENT)
    assert Ticket.objects.get().priority == Priority.MEDIUM

    tenant_flags(customers_can_set_priority=True)
    assert 'name="priority"' in client.get("/tickets/new/").content.decode()
    new_ticket(client, subject="Second", priority=Priority.HIGH)
    assert Ticket.objects.get(subject="Second").priority == Priority.HIGH


def test_inactive_categories_are_not_offered(tenant_client, customer):
    CategoryFactory(name="Retired topic", is_active=False)
    assert "Retired topic" not in tenant_client(customer).get("/tickets/new/").content.decode()


def test_the_form_wires_kb_suggestions_and_the_deflection_beacon(tenant_client, customer):
    html = tenant_client(customer).get("/tickets/new/").content.decode()
    assert 'data-suggest-url="/api/v1/kb/suggest/"' in html
    assert 'data-opened-url="/tickets/new/suggestion-opened/"' in html
    assert 'id="kb-suggestions"' in html


def test_opening_a_suggested_article_counts_until_a_ticket_follows(tenant_client, customer):
    from knowledgebase.models import Article, SearchRecord

    article = Article.objects.create(
        title="Printer shows error E-42", slug="printer-e42", status="PUBLISHED"
    )
    client = tenant_client(customer)

    client.post(
        "/tickets/new/suggestion-opened/", {"slug": article.slug, "q": "printer E-42", "count": 1}
    )

    search = SearchRecord.objects.get()
    assert (search.query, search.source, search.user, search.opened_article) == (
        "printer E-42",
        "PORTAL",
        customer,
        article,
    )
    assert search.ticket is None  # opened and left: a deflection
    new_ticket(client)
    search.refresh_from_db()
    assert search.ticket == Ticket.objects.get()  # filed after all: no deflection


def test_articles_the_customer_may_not_read_are_not_recorded(tenant_client, customer):
    from knowledgebase.models import Article, SearchRecord

    Article.objects.create(
        title="Internal runbook", slug="runbook", status="PUBLISHED", visibility="INTERNAL"
    )
    tenant_client(customer).post(
        "/tickets/new/suggestion-opened/", {"slug": "runbook", "q": "runbook", "count": 1}
    )
    assert not SearchRecord.objects.exists()


def test_the_deflection_beacon_answers_no_content(tenant_client, customer):
    response = tenant_client(customer).post(
        "/tickets/new/suggestion-opened/", {"slug": "no-such-article", "q": "printer", "count": "2"}
    )
    assert response.status_code == 204


# --- My tickets list ---


def test_list_shows_my_tickets_with_number_status_and_filters(
    tenant_client, customer, other_customer, agent
):
    mine_open = TicketFactory(requester=customer, subject="Open one")
    mine_resolved = TicketFactory(requester=customer, subject="Done one")
    services.ticket_status_change(ticket=mine_resolved, actor=agent, status=Status.RESOLVED)
    TicketFactory(requester=other_customer, subject="Not mine")
    client = tenant_client(customer)

    open_page = client.get("/tickets/").content.decode()
    closed_page = client.get("/tickets/?status=closed").content.decode()
    all_page = client.get("/tickets/?status=all").content.decode()

    assert "Open one" in open_page and "Done one" not in open_page
    assert mine_open.number in open_page
    assert "Done one" in closed_page and "Open one" not in closed_page
    assert "Resolved" in closed_page
    assert "Open one" in all_page and "Done one" in all_page
    assert "Not mine" not in all_page


def test_list_includes_tickets_i_am_cc_on(tenant_client, customer):
    colleague = VerifiedCustomerFactory(email="dan@acme-corp.test")
    ticket = TicketFactory(requester=customer, subject="Shared problem")
    services.ticket_cc_add(ticket=ticket, actor=customer, user=colleague)

    html = tenant_client(colleague).get("/tickets/").content.decode()

    assert "Shared problem" in html
    assert ">CC<" in html


# --- The conversation ---


def test_ticket_page_shows_the_public_conversation_but_never_internal_notes(
    tenant_client, customer, agent
):
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="Try turning it off and on.")
    services.message_add(
        ticket=ticket,
        actor=agent,
        content="SECRET: customer is on the naughty list",
        message_type=MessageType.INTERNAL_NOTE,
        attachments=[services.AttachmentInput("note.txt", b"internal")],
    )

    html = detail(tenant_client(customer), ticket).content.decode()

    assert "Try turning it off and on." in html
    assert "SECRET" not in html
    assert "note.txt" not in html
    assert agent.email not in html


def test_message_markdown_is_sanitized(tenant_client, customer):
    ticket = TicketFactory(
        requester=customer, content="**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = detail(tenant_client(customer), ticket).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)" not in html
    assert "javascript:alert" not in html


def test_mail_messages_keep_their_line_breaks_as_plain_text(tenant_client, customer):
    ticket = TicketFactory(requester=customer, channel=Channel.EMAIL, content="Hi,\n*not emph*")
    html = detail(tenant_client(customer), ticket).content.decode()
    assert "Hi,<br>*not emph*" in html


def test_reply_with_attachment_adds_a_customer_message(tenant_client, customer):
    ticket = TicketFactory(requester=customer)
    client = tenant_client(customer)

    response = client.post(
        f"/tickets/{ticket.number}/reply/",
        {"content": "Here is the log.", "attachments": [upload("more.txt", b"more")]},
    )

    reply = ticket.messages.latest("created_at")
    assert response.status_code == 302
    assert (reply.message_type, reply.content, reply.channel) == (
        MessageType.CUSTOMER_REPLY,
        "Here is the log.",
        Channel.PORTAL,
    )
    assert [a.filename for a in reply.attachments.all()] == ["more.txt"]


def test_replying_to_a_resolved_ticket_reopens_it(tenant_client, customer, agent):
    ticket = TicketFactory(requester=customer)
    services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)
    client = tenant_client(customer)
    assert "Send and reopen" in detail(client, ticket).content.decode()

    client.post(f"/tickets/{ticket.number}/reply/", {"content": "Still broken."})

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_empty_reply_is_refused_and_closed_tickets_take_no_replies(tenant_client, customer, agent):
    ticket = TicketFactory(requester=customer)
    client = tenant_client(customer)
    empty = client.post(f"/tickets/{ticket.number}/reply/", {"content": ""})
    services.ticket_status_change(ticket=ticket, actor=agent, status=Status.CLOSED)
    closed = client.post(f"/tickets/{ticket.number}/reply/", {"content": "Hello again?"})

    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    assert closed.status_code == 200
    assert "is closed" in closed.content.decode()
    assert "Hello again?" in closed.content.decode()  # kept
    assert ticket.messages.count() == 1


def test_customer_marks_the_ticket_resolved(tenant_client, customer):
    ticket = TicketFactory(requester=customer)
    response = tenant_client(customer).post(f"/tickets/{ticket.number}/resolve/")
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status == Status.RESOLVED
    assert ticket.history.filter(field="status", after=Status.RESOLVED).exists()


def test_only_the_requester_can_resolve(tenant_client, customer):
    colleague = VerifiedCustomerFactory(email="dan@acme-corp.test")
    ticket = TicketFactory(requester=customer)
    services.ticket_cc_add(ticket=ticket, actor=customer, user=colleague)

    response = tenant_client(colleague).post(f"/tickets/{ticket.number}/resolve/")

    ticket.refresh_from_db()
    assert response.status_code == 403
    assert ticket.status == Status.OPEN


# --- CC a colleague ---


def add_cc(client, ticket, email):
    return client.post(f"/tickets/{ticket.number}/cc/", {"email": email})


def test_requester_adds_a_colleague_of_the_same_domain(tenant_client, customer):
    ticket = TicketFactory(requester=customer)
    response = add_cc(tenant_client(customer), ticket, "Dan@Acme-Corp.test")
    assert response.status_code == 302
    colleague = ticket.cc.get()
    assert colleague.email == "dan@acme-corp.test"
    assert colleague.is_customer
    assert detail(tenant_client(colleague), ticket).status_code == 200


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("eve@other-company.test", "@acme-corp.test address only"),
        ("not-an-address", "Enter a valid email address."),
        ("carol@acme-corp.test", "your own address"),
    ],
)
def test_cc_rules_refuse_other_domains_and_bad_input(tenant_client, customer, email, message):
    ticket = TicketFactory(requester=customer)
    response = add_cc(tenant_client(customer), ticket, email)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ticket.cc.exists()


def test_cc_on_a_webmail_domain_is_refused(tenant_client):
    webmail_user = VerifiedCustomerFactory(email="someone@gmail.com")
    ticket = TicketFactory(requester=webmail_user)
    response = add_cc(tenant_client(webmail_user), ticket, "stranger@gmail.com")
    assert "company email domain" in response.content.decode()
    assert not ticket.cc.exists()


def test_cc_is_off_when_the_tenant_disallows_it(tenant_client, customer, tenant_flags):
    tenant_flags(customers_can_cc=False)
    ticket = TicketFactory(requester=customer)
    client = tenant_client(customer)
    assert "Add colleague" not in detail(client, ticket).content.decode()
    response = add_cc(client, ticket, "dan@acme-corp.test")
    assert "turned off" in response.content.decode()
    assert not ticket.cc.exists()


def test_only_the_requester_adds_colleagues_and_a_cc_can_leave(tenant_client, customer):
    colleague = VerifiedCustomerFactory(email="dan@acme-corp.test")
    ticket = TicketFactory(requester=customer)
    services.ticket_cc_add(ticket=ticket, actor=customer, user=colleague)
    client = tenant_client(colleague)

    refused = add_cc(client, ticket, "fay@acme-corp.test")
    left = client.post(f"/tickets/{ticket.number}/cc/{colleague.pk}/remove/")

    assert "Only the person who opened" in refused.content.decode()
    assert left.status_code == 302 and left["Location"] == "/tickets/"
    assert not ticket.cc.exists()
    assert detail(client, ticket).status_code == 404


def test_conversation_renderings_are_reused_between_views(tenant_client, customer, monkeypatch):
    ticket = TicketFactory(requester=customer)
    client = tenant_client(customer)
    detail(client, ticket)
    rendered = []
    monkeypatch.setattr(
        "tickets.presentation.render_markdown", lambda text: rendered.append(text) or ""
    )

    page = detail(client, ticket).content.decode()

    assert rendered == []
    assert "E-42" in page  # served from the cached rendering


def test_a_blocked_file_type_is_refused_in_the_portal_with_the_input_kept(tenant_client, customer):
    response = new_ticket(tenant_client(customer), attachments=[upload("setup.exe", b"MZ...")])

    html = response.content.decode()
    assert response.status_code == 200
    assert "setup.exe is not accepted: .exe files are blocked here." in html
    assert 'value="Printer jams on page 2"' in html
    assert "js/attachments.js" in html and 'data-drop-hint="' in html
    assert not Ticket.objects.exists()
