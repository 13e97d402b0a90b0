"""Language of new tickets: offline detection (py3langid), the requester's preference wins."""

import pytest

from tests.factories import CustomerFactory, TicketFactory
from tickets.language import detect_language, offered_code, preferred_language

TWO = [("en", "English"), ("de", "Deutsch"), ("pt-br", "Português (Brasil)")]


@pytest.fixture
def languages(settings):
    settings.LANGUAGES = TWO
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mein Drucker funktioniert seit gestern nicht mehr, bitte helfen Sie mir.", "de"),
        ("My printer stopped working yesterday, please help me fix it.", "en"),
        ("Olá, minha impressora não funciona desde ontem, podem me ajudar?", "pt-br"),
        ("Bonjour, je ne peux plus me connecter à mon compte depuis hier.", None),  # not offered
        ("ok", None),  # too short to say
    ],
)
def test_detection_answers_an_offered_code_or_none(languages, text, expected):
    assert detect_language(text) == expected


def test_offered_code_maps_primary_subtags(languages):
    assert offered_code("pt") == "pt-br" and offered_code("DE") == "de"
    assert offered_code("fr") is None and offered_code("") is None


def test_the_requesters_preference_wins(tenant, languages):
    german = CustomerFactory(language="de")
    ticket = TicketFactory(
        requester=german, subject="Printer", content="My printer is broken, please help me."
    )
    assert ticket.language == "de"


def test_the_default_language_is_no_preference(tenant, languages):
    customer = CustomerFactory(language="en")
    assert preferred_language(customer) is None
    ticket = TicketFactory(
        requester=customer,
        subject="Rechnung",
        content="Meine Rechnung ist falsch, bitte korrigieren Sie den Betrag.",
    )
    assert ticket.language == "de"


def test_unsure_text_leaves_the_language_empty(tenant, languages):
    ticket = TicketFactory(subject="?", content="12345 !!!")
    assert ticket.language is None
