"""The ticket page's thread, history rows and assignee options are built in Python
(desk/ticket_html.py): the same markup the template loops printed, compared here with those
loops (kept below as the reference) on a thread with every kind of item, in two languages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.utils import translation
from PIL import Image

from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tests.factories.routing import AgentProfileFactory
from tickets import services
from tickets.models import Attachment, Channel, Message, MessageType

pytestmark = pytest.mark.django_db

# The loops as the templates had them (templates/desk/_ticket_live.html,
# _ticket_history.html, _ticket_props.html).
THREAD = """{% load i18n desk_tags %}{% for item in thread %}
  {% if item.kind == "message" %}{% with m=item.message %}
  <li class="msg msg-{{ m.message_type|lower }}" id="m-{{ m.pk }}">
    <article aria-label="{{ m.author_label|default:m.author }}, {{ m.created_at|date:'Y-m-d H:i' }}">
    <header class="msg-head">
      <strong>{% if m.author %}{{ m.author|person }}{% else %}{{ m.author_label }}{% endif %}</strong>
      <span
          class="msg-kind">{% if m.message_type == "INTERNAL_NOTE" %}{% translate "Internal note" %}{% elif m.message_type == "STAFF_REPLY" %}
              {% translate "Staff reply" %}{% else %}{% translate "Customer" %}{% endif %}{% if m.is_auto_response %} ·
          {% translate "auto" %}{% endif %}{% if m.channel == "EMAIL" %} · {% translate "email" %}{% endif %}</span>
      <time datetime="{{ m.created_at|date:'c' }}">{{ m.created_at|date:"DATETIME_FORMAT" }}</time>
      {% if m.time_spent %}<span class="muted small">{% blocktranslate trimmed with time_spent=m.time_spent %}{{ time_spent }} min spent{% endblocktranslate %}</span>{% endif %}
    </header>
    <div class="msg-body">{{ item.html|safe }}</div>
    {% with files=m.attachments.all %}{% if files %}<ul class="msg-files">{% for a in files %}<li>{% include "desk/_attachment.html" %}</li>
      {% endfor %}</ul>{% endif %}{% endwith %}
    </article>
  </li>
  {% endwith %}{% else %}
  <li class="events">
    <details><summary>{{ item.summary }}{% if item.events|length > 2 %} ·
        {% blocktranslate count n=item.events|length|add:"-2" %}{{ n }} more event{% plural %}{{ n }} more events{% endblocktranslate %}{% endif %}</summary>
      <ul>{% for e in item.events %}<li><time datetime="{{ e.created_at|date:'c' }}">{{ e.created_at|date:"DATETIME_FORMAT" }}</time>
          {{ e|describe }}</li>{% endfor %}</ul>
    </details>
  </li>
  {% endif %}
{% endfor %}"""  # noqa: E501
HISTORY = """{% load desk_tags %}{% for e in history %}<li><time datetime="{{ e.created_at|date:'c' }}">{{ e.created_at|date:"m-d H:i" }}</time>
      {{ e|describe }}</li>{% endfor %}"""  # noqa: E501
STAFF = """{% load i18n %}{% for s in staff %}
          <option value="{{ s.user.pk }}"{% if s.full and s.user.pk != ticket.assignee_id %}
            data-full="{{ s.user.get_full_name }}"{% endif %}{% if s.user.pk == ticket.assignee_id %} selected{% endif %}>{{ s.label }}
            {% if s.full %} ({% translate "full" %}){% endif %}</option>{% endfor %}"""  # noqa: E501


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), "blue").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def busy_ticket(tenant):
    """Every kind of thread item, with markup in what people typed."""
    agent = AgentFactory(name="<b>Ann</b> & co")
    other = AgentFactory(name="Bob")
    customer = CustomerFactory(name="Carl <script>")
    ticket = TicketFactory(requester=customer, subject="Printer <jammed>")
    services.message_add(
        ticket=ticket, actor=customer, content="Still broken", channel=Channel.EMAIL
    )
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    services.ticket_update(ticket=ticket, actor=agent, priority="HIGH", reason="VIP <now>")
    services.ticket_update(ticket=ticket, actor=agent, tags=["a&b", "c"])
    services.ticket_assign(ticket=ticket, actor=agent, assignee=other)
    services.message_add(
        ticket=ticket,
        actor=agent,
        content="Try **this**",
        time_spent=1234,
        attachments=services.attachments_prepare(
            [SimpleUploadedFile("shot <1>.png", _png()), SimpleUploadedFile("log.txt", b"x")]
        ),
    )
    Attachment.objects.filter(filename="log.txt").update(scan_status="pending")
    services.message_add(
        ticket=ticket, actor=agent, content="Note", message_type=MessageType.INTERNAL_NOTE
    )
    auto = services.message_add(ticket=ticket, actor=agent, content="We got it")
    Message.objects.filter(pk=auto.pk).update(is_auto_response=True, author_label="Bot <1>")
    services.message_add(
        ticket=ticket, actor=None, content="Escalated", message_type=MessageType.SYSTEM
    )
    # A full agent (capacity 1, one open ticket) is marked in the assignee options.
    fay = AgentProfileFactory(user__name="Full <Fay>", capacity=1).user
    services.ticket_assign(ticket=TicketFactory(requester=customer), actor=agent, assignee=fay)
    return ticket, agent


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_fragments_are_what_the_template_loops_printed(
    tenant_client, busy_ticket, language, settings
):
    ticket, agent = busy_ticket
    client = tenant_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/desk/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    context = response.context
    page = response.content.decode()

    with translation.override(response["Content-Language"]):
        engine = engines["django"]
        values = {k: context[k] for k in ("thread", "history", "staff", "ticket")}
        expected_thread = engine.from_string(THREAD).render(values)
        expected_history = engine.from_string(HISTORY).render(values)
        expected_staff = engine.from_string(STAFF).render(values)

    assert str(context["thread_html"]) == expected_thread
    assert str(context["history_html"]) == expected_history
    assert str(context["staff_options"]) == expected_staff
    assert expected_thread in page and expected_history in page and expected_staff in page
    # Every kind of item was there to compare, in the language asked for.
    assert response["Content-Language"] == language
    kinds = ["msg-files", "data-scan-status", 'class="thumb"', "msg-internal_note", "<details>"]
    assert all(kind in expected_thread for kind in kinds)
    assert expected_thread.count('<li class="events">') >= 2
    assert "1234" in expected_thread and "Bot &lt;1&gt;" in expected_thread
    if language == "en":
        assert " more event" in expected_thread and " · email" in expected_thread
        assert "auto</span>" in expected_thread
        assert 'data-full="Full &lt;Fay&gt;"' in expected_staff and "(full)" in expected_staff
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; co" in page and "<b>Ann</b>" not in page


# The select options and the requester's other tickets, as `_ticket_props.html` and
# `ticket.html` had them.
STATUS = """{% for value, label in status_choices %}
          <option value="{{ value }}"{% if value == ticket.status %} selected{% endif %}>{{ label }}</option>{% endfor %}"""  # noqa: E501
PRIORITY = """{% for value, label in priorities %}
          <option value="{{ value }}"{% if value == ticket.priority %} selected{% endif %}>{{ label }}</option>{% endfor %}"""  # noqa: E501
CATEGORY = """{% for c in categories %}{% if c.is_active or c.pk == ticket.category_id %}<option
        value="{{ c.pk }}"{% if c.pk == ticket.category_id %} selected{% endif %}>{{ c.name }}</option>{% endif %}{% endfor %}"""  # noqa: E501
REQUESTER = """{% load desk_tags %}{% for t in requester_tickets|slice:requester_tickets_max %}<li><a href="{% url 'desk:ticket' t.number %}">{{ t.number }}</a>
            {{ t.subject|truncatechars:40 }} <span class="badge status status-{{ t.status|lower }}">{{ t.status|status_label }}</span></li>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "de"])
def test_options_and_other_tickets_are_what_the_template_loops_printed(
    tenant_client, busy_ticket, language, settings
):
    from desk.views.ticket import _status_choices
    from tests.factories import CategoryFactory
    from tickets.category_cache import categories_for_choices
    from tickets.models import Priority

    ticket, agent = busy_ticket
    retired = CategoryFactory(name="Old <retired> & gone")
    CategoryFactory(name="Also retired", is_active=False)
    CategoryFactory(name="Billing & <co>")
    services.ticket_update(ticket=ticket, actor=agent, category=retired)
    retired.is_active = False  # retired after the ticket got it: still offered on the ticket
    retired.save()
    for i in range(6):
        TicketFactory(requester=ticket.requester, subject=f"Another <long> subject {i} " * 3)
    client = tenant_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/desk/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    context, page = response.context, response.content.decode()
    ticket = context["ticket"]

    with translation.override(response["Content-Language"]):
        engine = engines["django"]
        values = {
            "ticket": ticket,
            "status_choices": _status_choices(ticket),
            "priorities": Priority.choices,
            "categories": categories_for_choices(),
            "requester_tickets": context["requester_tickets"],
            "requester_tickets_max": context["requester_tickets_max"],
        }
        expected = {
            name: engine.from_string(source).render(values, request=response.wsgi_request)
            for name, source in (
                ("status_options", STATUS),
                ("priority_options", PRIORITY),
                ("category_options", CATEGORY),
                ("requester_tickets_html", REQUESTER),
            )
        }

    for name, markup in expected.items():
        assert str(context[name]) == markup, name
        assert markup in page, name
    assert "Old &lt;retired&gt; &amp; gone</option>" in expected["category_options"]
    assert "Also retired" not in expected["category_options"]
    assert expected["requester_tickets_html"].count("<li>") == 5
    assert "Another &lt;long&gt;" in expected["requester_tickets_html"]
    assert " selected>" in expected["status_options"] + expected["priority_options"]


REPLY_STATUS = """{% for value, label in form.fields.status_after.choices %}
          <option value="{{ value }}"{% if value == form.status_after.value %} selected{% endif %}>{{ label }}</option>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("status_after", ["", "WAITING_ON_CUSTOMER"])
def test_reply_status_options_are_what_the_template_loop_printed(
    tenant_client, busy_ticket, status_after
):
    from desk import services as desk_services

    ticket, agent = busy_ticket
    desk_services.reply_draft_save(
        ticket=ticket, actor=agent, content="Draft", status_after=status_after
    )
    response = tenant_client(agent).get(f"/desk/tickets/{ticket.number}/")
    form = response.context["form"]
    assert form.initial["status_after"] == status_after
    expected = engines["django"].from_string(REPLY_STATUS).render({"form": form})
    assert expected in response.content.decode()
    assert f'<option value="{status_after}" selected>' in expected
