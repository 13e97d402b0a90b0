"""Tenant-editable texts per language: mails, auto-responses, survey questions, portal welcome."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from automation.responses import template_text
from automation.services import template_save, template_translation_save
from panel1.exceptions import DomainError
from tests.conftest import in_schema
from tests.factories import AdminFactory, CustomerFactory
from tickets.email.rendering import template_for
from tickets.models import EmailTemplate, LocalizedText, SurveySettings, TextKey
from tickets.services.email_templates import email_template_reset, email_template_save
from tickets.services.texts import localized_text_save, survey_questions_save, text_for

SIX = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"),
       ("pt-br", "Português (Brasil)"), ("ar", "العربية")]  # fmt: skip


@pytest.fixture(autouse=True)
def languages(settings):
    settings.LANGUAGES = SIX
    settings.LANGUAGE_CODE = "en"


def _mail(language: str, subject: str):
    return email_template_save(
        actor=AdminFactory(),
        key="ticket_created",
        language=language,
        subject=subject,
        body_text="Ticket {{ ticket_number }}",
    )


def test_email_template_is_picked_in_the_active_language_with_default_fallback(tenant):
    with translation.override("fr"):
        built_in = template_for("ticket_created")[0]  # the shipped text, in French
    _mail("en", "We got it")
    _mail("de", "Angekommen")

    with translation.override("de"):
        german = template_for("ticket_created")[0]
    with translation.override("fr"):
        french = template_for("ticket_created")[0]  # no French text: the default language's
    with translation.override("en"):
        english = template_for("ticket_created")[0]

    assert (german, french, english) == ("Angekommen", "We got it", "We got it")
    email_template_reset(actor=AdminFactory(), key="ticket_created", language="en")
    with translation.override("fr"):
        assert template_for("ticket_created")[0] == built_in
    with translation.override("de"):
        assert template_for("ticket_created")[0] == "Angekommen"


def test_an_inactive_language_version_falls_back(tenant):
    _mail("en", "We got it")
    german = _mail("de", "Angekommen")
    EmailTemplate.objects.filter(pk=german.pk).update(is_active=False)

    with translation.override("de"):
        assert template_for("ticket_created")[0] == "We got it"


@pytest.mark.parametrize("language", ["xx", "de\x00", "de\u202e", "e" * 40])
def test_email_template_in_an_unknown_language_is_refused(tenant, language):
    with pytest.raises(DomainError) as refused:
        _mail(language, "Hallo")
    assert list(refused.value.errors) == ["language"]
    assert not EmailTemplate.objects.exists()


def test_auto_response_in_the_tickets_or_active_language_with_fallback(tenant):
    admin = AdminFactory()
    template = template_save(
        actor=admin, name="thanks", subject="Thanks", body="We got {{ticket_number}}."
    )
    template_translation_save(
        actor=admin, template=template, language="de", subject="Danke",
        body="Wir haben {{ticket_number}} erhalten.",
    )  # fmt: skip

    with translation.override("de"):
        assert template_text(template) == ("Danke", "Wir haben {{ticket_number}} erhalten.")
    with translation.override("fr"):
        assert template_text(template) == ("Thanks", "We got {{ticket_number}}.")
    assert template_text(template, "de")[0] == "Danke"  # the ticket's language wins
    with pytest.raises(DomainError) as bad:
        template_translation_save(
            actor=admin, template=template, language="de", body="{{no_such_thing}}"
        )
    assert "body" in bad.value.errors
    template_translation_save(actor=admin, template=template, language="de", body="")
    with translation.override("de"):
        assert template_text(template)[0] == "Thanks"  # removed: the default applies again


def test_auto_response_rule_replies_in_the_tickets_language(tenant):
    from automation.executors import auto_response_template, run_send_auto_response
    from tests.factories import TicketFactory

    admin = AdminFactory()
    template = template_save(actor=admin, name="ack", body="Received {{ticket_number}}.")
    template_translation_save(
        actor=admin, template=template, language="de", body="Erhalten: {{ticket_number}}."
    )
    ticket = TicketFactory(requester=CustomerFactory())
    ticket.language = "de"
    ticket.save(update_fields=["language"])

    ex = SimpleNamespace(ticket=ticket, actor=admin)
    assert auto_response_template("ack").pk == template.pk
    with translation.override("en"):  # an English agent's request
        run_send_auto_response(ex, {"template": "ack"})

    reply = ticket.messages.order_by("-created_at").first()
    assert reply.content == f"Erhalten: {ticket.number}."


def test_survey_questions_per_language_fall_back_per_question(tenant):
    survey_questions_save(
        actor=AdminFactory(), language="en", questions={"team": "Was our team kind?"}
    )
    survey_questions_save(
        actor=AdminFactory(), language="de", questions={"solution": "Hat die Lösung geholfen?"}
    )
    options = SurveySettings.objects.get(pk=1)

    with translation.override("de"):
        german = options.question_texts()
    assert german["solution"] == "Hat die Lösung geholfen?"
    assert german["team"] == "Was our team kind?"  # the default language's
    assert german["response_time"] == "How satisfied are you with our response time?"
    with pytest.raises(DomainError):
        survey_questions_save(actor=AdminFactory(), language="de", questions={"extra": "?"})


def test_portal_welcome_text_in_the_readers_language(tenant, tenant_client):
    localized_text_save(
        actor=AdminFactory(), key=TextKey.PORTAL_WELCOME, language="en", text="Welcome, friend."
    )
    localized_text_save(
        actor=AdminFactory(), key=TextKey.PORTAL_WELCOME, language="de", text="Willkommen <b>!"
    )

    german = tenant_client().get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    french = tenant_client().get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Willkommen &lt;b&gt;!" in german and "Welcome, friend." not in german
    assert "Welcome, friend." in french
    localized_text_save(actor=AdminFactory(), key=TextKey.PORTAL_WELCOME, language="de", text="")
    with translation.override("de"):
        assert text_for(TextKey.PORTAL_WELCOME) == "Welcome, friend."


def test_texts_refuse_bad_input(tenant):
    with pytest.raises(DomainError) as unknown_key:
        localized_text_save(actor=AdminFactory(), key="nope", language="de", text="x")
    with pytest.raises(DomainError) as too_long:
        localized_text_save(
            actor=AdminFactory(), key=TextKey.PORTAL_WELCOME, language="de", text="x" * 6000
        )
    assert list(unknown_key.value.errors) == ["key"]
    assert list(too_long.value.errors) == ["text"]
    saved = localized_text_save(
        actor=AdminFactory(), key=TextKey.PORTAL_WELCOME, language="de", text="a\x00b"
    )
    assert saved.text == "ab"


def test_texts_stay_in_their_tenant(tenant, other_tenant):
    _mail("de", "Nur Alpha")
    localized_text_save(
        actor=AdminFactory(), key=TextKey.PORTAL_WELCOME, language="de", text="Nur Alpha"
    )

    with in_schema(other_tenant), translation.override("de"):
        assert template_for("ticket_created")[0] != "Nur Alpha"
        assert text_for(TextKey.PORTAL_WELCOME) == ""
        assert not LocalizedText.objects.exists()


# --- desk screens -------------------------------------------------------------------------


def test_admin_edits_each_languages_mail_and_sees_missing_ones(tenant, tenant_client):
    desk = tenant_client(AdminFactory())
    _mail("en", "We got it")

    overview = desk.get("/desk/admin/email/").content.decode()
    german_form = desk.get("/desk/admin/email/ticket_created/?lang=de").content.decode()
    saved = desk.post(
        "/desk/admin/email/ticket_created/?lang=de",
        {"key": "ticket_created", "language": "de", "subject": "Angekommen",
         "body_text": "Ticket {{ ticket_number }}", "is_active": "on"},
    )  # fmt: skip
    unknown = desk.get("/desk/admin/email/ticket_created/?lang=xx")

    assert "missing:" in overview and "?lang=de" in overview
    assert "No Deutsch text yet" in german_form and "We got it" in german_form
    assert saved.status_code == 302
    assert EmailTemplate.objects.get(key="ticket_created", language="de").subject == "Angekommen"
    assert EmailTemplate.objects.get(key="ticket_created", language="en").subject == "We got it"
    assert unknown.status_code == 404


def test_admin_texts_screen_lists_missing_languages_and_saves_a_translation(tenant, tenant_client):
    admin = AdminFactory()
    template_save(actor=admin, name="ack", body="Received {{ticket_number}}.")
    desk = tenant_client(admin)

    overview = desk.get("/desk/admin/texts/").content.decode()
    saved = desk.post(
        "/desk/admin/texts/auto-responses/ack/?lang=de",
        {"subject": "Erhalten", "body": "Erhalten: {{ticket_number}}."},
    )
    welcome = desk.post("/desk/admin/texts/welcome/?lang=fr", {"text": "Bienvenue"})
    survey = desk.post("/desk/admin/texts/survey/?lang=es", {"team": "¿Nuestro equipo?"})
    bad = desk.post("/desk/admin/texts/auto-responses/ack/?lang=de", {"body": "{{nope}}"})

    assert "Portal welcome text" in overview and "text-missing" in overview
    assert saved.status_code == 302 and welcome.status_code == 302 and survey.status_code == 302
    with translation.override("de"):
        from automation.models import AutoResponseTemplate

        assert template_text(AutoResponseTemplate.objects.get(name="ack"))[0] == "Erhalten"
    with translation.override("fr"):
        assert text_for(TextKey.PORTAL_WELCOME) == "Bienvenue"
    assert SurveySettings.objects.get(pk=1).question_texts("es")["team"] == "¿Nuestro equipo?"
    assert bad.status_code == 400
    agent_page = tenant_client(CustomerFactory()).get("/desk/admin/texts/")
    assert agent_page.status_code in (302, 403)
