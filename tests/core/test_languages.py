"""Interface languages (issue #18): which language a request gets, the tenant's offered
languages and default, a person's language and time zone, and mail in the recipient's
language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from panel1.i18n.languages import (
    accept_language_choice,
    default_language,
    normalize,
    offered_languages,
    recipient_language,
    shipped_languages,
)
from panel1.tenants.models import Tenant
from panel1.tenants.services import current_tenant, tenant_settings_update
from tests.core.i18n_helpers import german_catalog
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(tenant):
    return CustomerFactory(email="carol@customer.test", name="Carol Customer")


@pytest.fixture
def agent(tenant):
    return AgentFactory(email="alice@desk.test", name="Alice Agent")


SHIPPED = ["en", "de", "fr", "es", "pt-br", "ar"]


@pytest.fixture
def offer(tenant):
    """`offer(["en", "fr"], default="fr")`: the tenant's languages for this test (the row and
    the session's in-memory objects; both are put back afterwards)."""
    objects = {id(tenant): tenant, id(current_tenant()): current_tenant()}.values()
    saved = [(obj, obj.offered_languages, obj.default_language) for obj in objects]

    def change(languages, default=""):
        Tenant.objects.filter(pk=tenant.pk).update(
            offered_languages=languages, default_language=default
        )
        for obj, _languages, _default in saved:
            obj.offered_languages, obj.default_language = languages, default

    yield change
    Tenant.objects.filter(pk=tenant.pk).update(
        offered_languages=saved[0][1], default_language=saved[0][2]
    )
    for obj, languages, default in saved:
        obj.offered_languages, obj.default_language = languages, default


def page_language(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="(\w+)">', response.content.decode())
    return match.group(1), match.group(2)


# --- Settings and the tenant's choice -----------------------------------------------------


def test_the_installation_ships_six_languages_and_english_is_the_default(settings):
    assert shipped_languages() == SHIPPED
    assert settings.LANGUAGE_CODE == "en"
    assert settings.LOCALE_PATHS and str(settings.LOCALE_PATHS[0]).endswith("locale")


def test_a_new_tenant_offers_every_shipped_language():
    fresh = Tenant(schema_name="fresh", name="Fresh")
    assert offered_languages(fresh) == SHIPPED
    assert default_language(fresh) == "en"


def test_offered_languages_follow_the_shipped_order_and_ignore_unshipped_codes():
    tenant = Tenant(offered_languages=["ar", "de", "xx"], default_language="xx")
    assert offered_languages(tenant) == ["de", "ar"]
    assert default_language(tenant) == "de"  # neither its choice nor "en" is offered


def test_codes_are_normalized_to_offered_ones():
    assert (
        normalize("DE-at") == "de" and normalize("pt") == "pt-br" and normalize("pt_BR") == "pt-br"
    )
    assert normalize("zh") is None and normalize("") is None and normalize("x" * 50) is None
    assert normalize("de", ["en", "fr"]) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr;q=0.2, ar;q=0.9", "ar"),
        ("pt-PT", "pt-br"),
        ("zh-CN, ja", None),  # nothing offered
        ("*", None),
        ("de;q=garbage,,,;;", None),
        ("x" * 5000, None),
    ],
)
def test_accept_language_picks_among_offered_languages(header, expected):
    assert accept_language_choice(header, SHIPPED) == expected


def test_the_settings_service_narrows_the_languages(tenant, offer):
    offer([], "")
    tenant_settings_update(
        tenant=tenant, actor=None, offered_languages=["de", "en"], default_language="de"
    )
    tenant.refresh_from_db()
    assert (tenant.offered_languages, tenant.default_language) == (["en", "de"], "de")
    tenant_settings_update(tenant=tenant, actor=None, offered_languages=list(SHIPPED))
    tenant.refresh_from_db()
    assert tenant.offered_languages == []  # all of them, including languages shipped later


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"offered_languages": ["de", "tlh"]}, "offered_languages"),
        ({"offered_languages": "de"}, "offered_languages"),
        ({"offered_languages": ["en", "fr"], "default_language": "de"}, "default_language"),
    ],
)
def test_the_settings_service_refuses_bad_languages(tenant, offer, values, field):
    from panel1.exceptions import DomainError

    offer([], "")
    with pytest.raises(DomainError) as caught:
        tenant_settings_update(tenant=tenant, actor=None, **values)
    assert field in caught.value.errors


def _settings_post(**extra):
    data = {
        "display_name": "Acme Support",
        "primary_color": "#123456",
        "support_email": "help@acme.test",
        "default_timezone": "Europe/Berlin",
        "ticket_prefix": "SUP",
        "ticket_number_include_year": "on",
        "ticket_number_padding": "8",
        "allow_signup": "on",
        "kb_search_config": "english",
    }
    return {**data, **extra}


@pytest.fixture
def tenant_restored(tenant, offer):
    from panel1.tenants.services import TENANT_SETTINGS_FIELDS

    objects = {id(tenant): tenant, id(current_tenant()): current_tenant()}.values()
    saved = [(obj, {f: getattr(obj, f) for f in TENANT_SETTINGS_FIELDS}) for obj in objects]
    offer([], "")
    yield tenant
    for obj, values in saved:
        for field, value in values.items():
            setattr(obj, field, value)


def test_the_admin_area_settings_screen_offers_and_saves_languages(tenant_client, tenant_restored):
    from panel1.audit.models import AuditEntry

    client = tenant_client(AdminFactory())
    page = client.get("/desk/admin/settings/").content.decode()
    for code in SHIPPED:
        assert f'name="offered_languages" value="{code}"' in page
    assert "Deutsch" in page and "العربيّة" in page  # each language named in itself

    response = client.post(
        "/desk/admin/settings/",
        _settings_post(offered_languages=["en", "de"], default_language="de"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    tenant = Tenant.objects.get(pk=tenant_restored.pk)
    assert (tenant.offered_languages, tenant.default_language) == (["en", "de"], "de")
    entry = AuditEntry.objects.filter(action="settings_changed").latest("created_at")
    assert entry.details["offered_languages"] == [[], ["en", "de"]]
    # The portal now offers those two only, German by default.
    html = tenant_client().get("/").content.decode()
    assert re.findall(r'<option value="([\w-]+)" lang=', html) == ["en", "de"]
    assert '<html lang="de"' in html


def test_the_settings_screen_refuses_a_default_that_is_not_offered(tenant_client, tenant_restored):
    response = tenant_client(AdminFactory()).post(
        "/desk/admin/settings/",
        _settings_post(offered_languages=["en", "fr"], default_language="de"),
    )
    assert response.status_code == 400
    assert "must be one of those offered" in response.content.decode()
    assert Tenant.objects.get(pk=tenant_restored.pk).offered_languages == []


def test_the_settings_screen_refuses_unknown_languages(tenant_client, tenant_restored):
    response = tenant_client(AdminFactory()).post(
        "/desk/admin/settings/", _settings_post(offered_languages=["en", "tlh"])
    )
    assert response.status_code == 400
    assert Tenant.objects.get(pk=tenant_restored.pk).offered_languages == []


def test_django_admins_settings_page_edits_the_languages_too(tenant_client, tenant_restored):
    client = tenant_client(AdminFactory())
    assert 'name="default_language"' in client.get("/admin/settings/").content.decode()
    response = client.post(
        "/admin/settings/",
        _settings_post(offered_languages=["en", "ar"], default_language="ar"),
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=tenant_restored.pk)
    assert (tenant.offered_languages, tenant.default_language) == (["en", "ar"], "ar")


# --- Resolution per request ---------------------------------------------------------------


def test_without_any_choice_the_tenant_default_applies(tenant_client, offer):
    offer(["en", "fr"], "fr")
    response = tenant_client().get("/")
    assert page_language(response) == ("fr", "ltr")
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in response["Vary"]


def test_the_browser_picks_among_the_offered_languages(tenant_client, offer):
    offer(["en", "de", "ar"], "en")
    client = tenant_client()
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9")) == ("de", "ltr")
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="ar")) == ("ar", "rtl")


def test_a_language_the_tenant_does_not_offer_is_never_chosen(tenant_client, offer, customer):
    offer(["en", "fr"], "en")
    client = tenant_client()
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="de, ar;q=0.5")) == ("en", "ltr")
    client.cookies["django_language"] = "de"
    assert page_language(client.get("/")) == ("en", "ltr")
    refused = client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert refused.status_code == 302 and "django_language" not in refused.cookies
    type(customer).objects.filter(pk=customer.pk).update(language="de")
    assert page_language(tenant_client(customer).get("/")) == ("en", "ltr")


def test_the_switch_beats_the_browser(tenant_client, offer):
    offer([], "")
    client = tenant_client()
    switched = client.post("/i18n/setlang/", {"language": "es", "next": "/kb/"})
    assert switched.status_code == 302 and switched["Location"] == "/kb/"
    assert switched.cookies["django_language"].value == "es"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="de")) == ("es", "ltr")


def test_the_switch_never_redirects_off_site(tenant_client):
    response = tenant_client().post(
        "/i18n/setlang/", {"language": "de", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert tenant_client().get("/i18n/setlang/").status_code == 405


def test_the_persons_own_language_beats_the_switch_and_the_browser(tenant_client, offer, customer):
    offer([], "")
    type(customer).objects.filter(pk=customer.pk).update(language="pt-br")
    client = tenant_client(customer)
    client.cookies["django_language"] = "es"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="de")) == ("pt-br", "ltr")


def test_a_signed_in_person_switching_changes_their_profile(tenant_client, offer, agent):
    offer([], "")
    client = tenant_client(agent)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/desk/"})
    agent.refresh_from_db()
    assert agent.language == "ar"
    assert page_language(client.get("/desk/")) == ("ar", "rtl")


def test_the_desk_and_the_portal_carry_the_language_switch(tenant_client, offer, agent, customer):
    offer(["en", "de"], "en")
    for client, path in ((tenant_client(agent), "/desk/"), (tenant_client(customer), "/")):
        html = client.get(path).content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert '<option value="de" lang="de">Deutsch</option>' in html
    offer(["en"], "en")
    assert 'action="/i18n/setlang/"' not in tenant_client(customer).get("/").content.decode()


# The switch's options as `_language_switch.html`'s loop printed them.
SWITCH_LOOP = (
    "{% for code, name in offered_languages %}"
    '<option value="{{ code }}" lang="{{ code }}"'
    "{% if code == current_language %} selected{% endif %}>{{ name }}</option>{% endfor %}"
)


def test_the_switch_options_are_what_the_template_loop_printed(
    tenant_client, offer, agent, customer
):
    from django.template import engines

    offer(["en", "de", "ar", "pt-br"], "en")
    for client, path, language in (
        (tenant_client(agent), "/desk/", "ar"),
        (tenant_client(customer), "/", "pt-br"),
        (tenant_client(), "/", "de"),
    ):
        client.cookies["django_language"] = language
        response = client.get(path)
        names = ("offered_languages", "current_language")
        values = {name: response.context[name] for name in names}
        expected = engines["django"].from_string(SWITCH_LOOP).render(values)
        assert expected in response.content.decode()
        assert f'<option value="{language}" lang="{language}" selected>' in expected
        assert expected.count("<option") == 4


def test_pages_load_the_javascript_catalog_of_their_language(tenant_client, offer):
    offer([], "")
    html = tenant_client().get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<script src="/i18n/js/fr/"></script>' in html
    catalog = tenant_client().get("/i18n/js/fr/")
    assert catalog.status_code == 200 and "django.gettext" in catalog.content.decode()
    assert "javascript" in catalog["Content-Type"]
    assert tenant_client().get("/i18n/js/tlh/").status_code == 404


# --- A person's language and time zone ----------------------------------------------------


def test_staff_set_their_language_and_time_zone_on_the_desk_profile(tenant_client, agent):
    client = tenant_client(agent)
    assert 'name="timezone"' in client.get("/desk/profile/").content.decode()
    response = client.post("/desk/profile/", {"language": "de", "timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.language, agent.timezone) == ("de", "Asia/Tokyo")
    assert page_language(client.get("/desk/profile/"))[0] == "de"


def test_the_desk_profile_refuses_unknown_zones_and_languages(tenant_client, agent, offer):
    offer(["en", "fr"], "en")
    client = tenant_client(agent)
    assert client.post("/desk/profile/", {"language": "de", "timezone": ""}).status_code == 400
    bad_zone = client.post("/desk/profile/", {"language": "fr", "timezone": "Mars/Olympus"})
    assert bad_zone.status_code == 400
    agent.refresh_from_db()
    assert (agent.language, agent.timezone) == ("", "")


def test_customers_set_their_time_zone_in_the_portal_profile(tenant_client, customer):
    response = tenant_client(customer).post(
        "/account/profile/",
        {"name": "Carol", "language": "fr", "timezone": "America/Sao_Paulo", "notify_by_email": ""},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.language, customer.timezone) == ("fr", "America/Sao_Paulo")


def test_dates_follow_the_persons_time_zone_and_locale(tenant_client, customer):
    ticket = TicketFactory(requester=customer, subject="Clock")
    when = dt.datetime(2026, 12, 5, 19, 45, tzinfo=dt.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when, updated_at=when)
    client = tenant_client(customer)

    type(customer).objects.filter(pk=customer.pk).update(language="en", timezone="Asia/Tokyo")
    assert "6 Dec 2026, 04:45" in client.get(f"/tickets/{ticket.number}/").content.decode()

    type(customer).objects.filter(pk=customer.pk).update(language="de", timezone="Europe/Berlin")
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "5. Dezember 2026 20:45" in html  # Django's German formats and month names


# --- Mail in the recipient's language ------------------------------------------------------


def test_recipient_language_order(tenant, offer):
    offer(["en", "de", "fr"], "fr")
    ticket = Ticket(language="de")
    assert recipient_language(CustomerFactory(language="en"), tenant=tenant, ticket=ticket) == "en"
    assert recipient_language(CustomerFactory(language=""), tenant=tenant, ticket=ticket) == "de"
    assert recipient_language(CustomerFactory(language=""), tenant=tenant) == "fr"
    assert recipient_language(CustomerFactory(language="ar"), tenant=tenant, ticket=ticket) == "de"
    # Staff get their own language or the default, never the ticket's.
    assert recipient_language(AgentFactory(language=""), tenant=tenant, ticket=ticket) == "fr"


def _ack(messages):
    return next(m for m in messages if "<ticket-created." in m.extra_headers.get("Message-ID", ""))


def test_the_acknowledgement_is_in_the_customers_language(tmp_path, run_on_commit, offer):
    offer([], "")
    german, english = CustomerFactory(language="de", name="Greta"), CustomerFactory(language="en")
    with german_catalog(tmp_path):
        with run_on_commit():
            ticket = TicketFactory(requester=german, subject="Drucker")
        with run_on_commit():
            TicketFactory(requester=english, subject="Printer")

    to_greta = _ack([m for m in mail.outbox if m.to == [german.email]])
    assert to_greta.subject == f"[{ticket.number}] Eingegangen: Drucker"
    assert to_greta.body.startswith("Hallo Greta,")
    assert 'lang="de"' in to_greta.alternatives[0][0]
    to_english = _ack([m for m in mail.outbox if m.to == [english.email]])
    assert "] Received: Printer" in to_english.subject
    assert translation.get_language() != "de"  # rendering did not leak the language


def test_a_new_sender_gets_the_tickets_detected_language(tmp_path, run_on_commit, offer):
    offer([], "")
    sender = CustomerFactory(language="")
    with german_catalog(tmp_path), run_on_commit():
        ticket = TicketFactory(
            requester=sender,
            subject="Rechnung",
            content="Meine Rechnung ist falsch, bitte korrigieren Sie den Betrag schnell.",
        )
    assert ticket.language == "de"
    assert "Eingegangen: Rechnung" in _ack(mail.outbox).subject


def test_without_a_language_mail_uses_the_tenant_default(tmp_path, run_on_commit, offer):
    offer(["en", "de"], "de")
    sender = CustomerFactory(language="")
    with german_catalog(tmp_path), run_on_commit():
        TicketFactory(requester=sender, subject="Help", content="?? 123")
    assert "Eingegangen: Help" in _ack(mail.outbox).subject


def test_staff_mail_follows_the_agents_language(tmp_path, run_on_commit, offer):
    from tickets.services.lifecycle import ticket_assign

    offer([], "")
    german, english = AgentFactory(language="de"), AgentFactory(language="")
    admin = AdminFactory()
    ticket = TicketFactory(subject="Drucker")
    with german_catalog(tmp_path):
        for agent in (german, english):
            with run_on_commit():
                ticket_assign(ticket=ticket, actor=admin, assignee=agent)
            ticket.refresh_from_db()
    subjects = {m.to[0]: m.subject for m in mail.outbox if "Drucker" in m.subject}
    assert "Ihnen zugewiesen: Drucker" in subjects[german.email]
    assert "Assigned to you: Drucker" in subjects[english.email]


@override_settings(LANGUAGES=[("en", "English"), ("de", "German")])
def test_the_account_mail_is_in_the_persons_language(tenant_client, tmp_path, offer):
    offer([], "")
    with german_catalog(tmp_path, {"Log in": "Anmelden"}):
        tenant_client().post(
            "/account/signup/",
            {
                "name": "Nina",
                "email": "nina@newco.test",
                "password1": "a-Long-unusual-passphrase-77",
                "password2": "a-Long-unusual-passphrase-77",
                "website": "",
            },
            HTTP_ACCEPT_LANGUAGE="de",
        )
    from panel1.accounts.models import User

    assert User.objects.get(email="nina@newco.test").language == "de"
    [message] = mail.outbox
    assert 'lang="de"' in message.alternatives[0][0]


def test_desk_notifications_are_stored_in_the_readers_language(tmp_path, run_on_commit, offer):
    from desk.models import Notification
    from tickets.services.lifecycle import ticket_assign

    offer([], "")
    german, english = AgentFactory(language="de"), AgentFactory(language="en")
    admin = AdminFactory(name="Ada")
    messages = {
        "%(actor)s assigned %(number)s to you: %(subject)s": (
            "%(actor)s hat Ihnen %(number)s zugewiesen: %(subject)s"
        )
    }
    with german_catalog(tmp_path, messages):
        for agent in (german, english):
            ticket = TicketFactory(subject="Drucker")
            with run_on_commit():
                ticket_assign(ticket=ticket, actor=admin, assignee=agent)
    assert Notification.objects.get(user=german).text.startswith("Ada hat Ihnen ")
    assert " assigned " in Notification.objects.get(user=english).text


def test_a_stored_language_variant_is_the_readers_language_too(tmp_path, run_on_commit, offer):
    """The assignment entry is written with one statement choosing among the languages'
    texts; a stored variant none of them names (set in the Django admin) still reads as the
    language it maps to."""
    from desk.models import Notification
    from tickets.services.lifecycle import ticket_assign

    offer([], "")
    variant, plain = AgentFactory(language="DE_at"), AgentFactory(language="de")
    admin = AdminFactory(name="Ada")
    messages = {
        "%(actor)s assigned %(number)s to you: %(subject)s": (
            "%(actor)s hat Ihnen %(number)s zugewiesen: %(subject)s"
        )
    }
    with german_catalog(tmp_path, messages):
        for agent in (variant, plain):
            with run_on_commit():
                ticket_assign(ticket=TicketFactory(subject="Drucker"), actor=admin, assignee=agent)
    assert Notification.objects.get(user=variant).text.startswith("Ada hat Ihnen ")
    assert Notification.objects.get(user=plain).text.startswith("Ada hat Ihnen ")


def test_a_routed_assignment_reads_in_the_language_a_stored_variant_maps_to(
    tmp_path, run_on_commit, offer, customer
):
    """A new ticket routed at its creation: the assignee's entry goes in with the creation's
    writes (one statement choosing the text), and a stored variant still reads as its
    language."""
    from desk.models import Notification
    from tests.factories.routing import AgentProfileFactory, routing_configure
    from tickets.services import ticket_create

    offer([], "")
    variant = AgentProfileFactory(user=AgentFactory(language="DE_at")).user
    routing_configure(strategy="load_balanced")
    messages = {
        "%(actor)s assigned %(number)s to you: %(subject)s": (
            "%(actor)s hat Ihnen %(number)s zugewiesen: %(subject)s"
        )
    }
    with german_catalog(tmp_path, messages), run_on_commit():
        ticket = ticket_create(actor=customer, requester=customer, subject="Drucker", content="?")
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == variant.pk
    assert " hat Ihnen " in Notification.objects.get(user=variant).text


def test_chart_coordinates_keep_a_decimal_point_in_german(tenant_client, agent):
    type(agent).objects.filter(pk=agent.pk).update(language="de")
    for number in range(3):
        TicketFactory(subject=f"Drucker {number}", priority=("LOW", "HIGH", "URGENT")[number])
    html = tenant_client(agent).get("/desk/reports/").content.decode()
    assert '<html lang="de"' in html and "<circle" in html
    coordinates = re.findall(r'\b(?:x|y|width|height|cx|cy|x1|x2|y1|y2)="([^"]*)"', html)
    assert coordinates and not [value for value in coordinates if "," in value]
