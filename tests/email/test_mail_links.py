"""Every link in every mail is absolute, with the scheme, host and port the site is served on,
and every ticket mail's subject reads "[<number>] <text>"."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from panel1.accounts import tasks as account_tasks
from panel1.accounts.services import MAIL_KINDS, site_base_url
from panel1.events import bus, names
from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, TicketFactory
from tickets import surveys
from tickets.email.outbound import mail_subject
from tickets.models import MessageType, Status
from tickets.notifiers import StaffNotice, staff_notify
from tickets.services import message_add, ticket_assign, ticket_escalate, ticket_status_change

pytestmark = pytest.mark.django_db

SITE = "http://alpha.test.localhost:8000"
URL_RE = re.compile(r"https?://[^\s\"'<>)]+")
ATTR_RE = re.compile(r"""(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)


@pytest.fixture
def served_on_8000(settings):
    settings.SITE_PORT = "8000"
    settings.EMAIL_LINK_SCHEME = "http"


def _links(mail) -> list[str]:
    html = mail.html if mail.message.get_body(("html",)) is not None else ""
    return URL_RE.findall(mail.text) + URL_RE.findall(html) + ATTR_RE.findall(html)


def _assert_links_served_on_site(mail):
    links = _links(mail)
    assert links, f"no link in {mail['Subject']!r}"
    wrong = [link for link in links if not link.startswith(SITE + "/")]
    assert not wrong, f"{mail['Subject']!r} links elsewhere: {wrong}"


def _ticket(run_on_commit, **kwargs):
    with run_on_commit():
        return TicketFactory(**kwargs)


def test_every_ticket_notification_links_to_the_served_port_with_one_subject_format(
    tenant, smtp, run_on_commit, served_on_8000
):
    customer, agent, lead = CustomerFactory(), AgentFactory(name="Alice Agent"), SupervisorFactory()
    ticket = _ticket(run_on_commit, requester=customer, subject="Printer on fire")
    with run_on_commit():
        ticket_assign(ticket=ticket, actor=lead, assignee=agent)  # ticket_assigned
        message_add(ticket=ticket, actor=agent, content="Please unplug it.")  # staff_reply
        message_add(ticket=ticket, actor=customer, content="Done.")  # customer_reply
        message_add(ticket=ticket, actor=lead, content="@Alice Agent look",
                    message_type=MessageType.INTERNAL_NOTE)  # fmt: skip
    with run_on_commit():
        ticket_escalate(ticket=ticket, actor=lead, reason="Too slow")
    with run_on_commit(), transaction.atomic():
        bus.emit(names.SLA_BREACH, payload={"ticket_id": str(ticket.pk),
                                            "notify_user_ids": [str(lead.pk)]})  # fmt: skip
    with run_on_commit():
        staff_notify(StaffNotice(ticket_id=str(ticket.pk), ticket_number=ticket.number,
                                 ticket_subject=ticket.subject, user_ids=(str(lead.pk),),
                                 message="Look at this", title="Rule fired"))  # fmt: skip
    with run_on_commit():
        ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)

    kinds = set()
    for mail in smtp.received:
        _assert_links_served_on_site(mail)
        assert mail["Subject"].startswith(f"[{ticket.number}] "), mail["Subject"]
        assert mail["Subject"].count(ticket.number) == 1
        kinds.add(mail["Message-ID"].strip("<").split(".")[0])
    assert kinds >= {"ticket-created", "ticket-assigned", "staff-reply", "customer-reply",
                     "note-mention", "ticket-escalated", "sla-breach", "staff-notice",
                     "ticket-resolved"}  # fmt: skip
    [ack] = [m for m in smtp.to(customer.email) if "ticket-created" in m["Message-ID"]]
    assert ack["Subject"] == f"[{ticket.number}] Received: Printer on fire"
    assert f"{SITE}/tickets/{ticket.number}/" in ack.text


def test_survey_and_low_score_mails_link_to_the_served_port(
    tenant, smtp, run_on_commit, served_on_8000
):
    from tickets.satisfaction import low_score_notify_task, satisfaction_submit

    customer, lead, agent = CustomerFactory(), SupervisorFactory(), AgentFactory()
    ticket = _ticket(run_on_commit, requester=customer)
    with run_on_commit():
        ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)
    ticket.refresh_from_db()
    with run_on_commit():
        satisfaction_submit(ticket=ticket, actor=customer, rating=1, comment="Slow")
    smtp.received.clear()

    assert surveys._send(ticket, reminder=False) == 1
    low_score_notify_task(str(ticket.pk))

    survey, alert = smtp.to(customer.email)[0], smtp.to(lead.email)[0]
    _assert_links_served_on_site(survey)
    _assert_links_served_on_site(alert)
    assert f"{SITE}/desk/tickets/{ticket.number}/" in alert.text
    assert survey["Subject"].startswith(f"[{ticket.number}] ")


@pytest.mark.parametrize("kind", sorted(MAIL_KINDS))
def test_account_mails_without_a_request_link_to_the_served_port(
    tenant, smtp, served_on_8000, kind
):
    user = AgentFactory() if kind == "staff_invitation" else CustomerFactory()

    account_tasks.account_mail_send_task(str(user.pk), kind, site_base_url())

    [mail] = smtp.to(user.email)
    _assert_links_served_on_site(mail)


def test_the_site_url_has_no_port_on_the_default_one(tenant, settings):
    from panel1.tenants.site import tenant_site_url

    settings.SITE_PORT, settings.EMAIL_LINK_SCHEME = "443", "https"
    assert tenant_site_url(tenant) == "https://alpha.test.localhost"
    settings.SITE_PORT = ""
    assert tenant_site_url(tenant) == "https://alpha.test.localhost"
    settings.SITE_PORT, settings.EMAIL_LINK_SCHEME = "8000", "http"
    assert tenant_site_url(tenant) == SITE


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Support Ticket Created: SUP-1", "[SUP-1] Support Ticket Created"),
        ("Re: [sup-1] Printer", "[SUP-1] Re: Printer"),
        ("We got it (SUP-1)", "[SUP-1] We got it"),
        ("Printer", "[SUP-1] Printer"),
        ("Resolved: about SUP-10", "[SUP-1] Resolved: about SUP-10"),
        ("SUP-1", "[SUP-1]"),
    ],
)
def test_the_ticket_number_always_leads_the_subject(subject, expected):
    assert mail_subject(subject, "SUP-1") == expected


def test_the_admin_preview_shows_the_subject_as_it_leaves(tenant, tenant_client):
    from tests.factories import AdminFactory

    preview = tenant_client(AdminFactory()).post(
        "/desk/admin/email/ticket_created/preview/",
        {"subject": "Ticket {{ ticket_number }} created", "body_text": "x", "body_html": "x"},
    )

    assert "[SUP-2026-00000042] Ticket created" in preview.content.decode()
