"""`{% load i18n %}` gives a direct `{% translate "literal" %}` (panel1/i18n/
template_library.py): the same output as Django's own tag, in every case."""

import pytest
from django.template import Context, Engine, engines
from django.templatetags import i18n
from django.utils import translation

from panel1.i18n import template_library

TEMPLATES = [
    '{% translate "Save" %}',
    '{% translate "Internal note" %} · {% trans "Customer" %}',
    "{% translate '100% done' %} {% translate \"50%% off\" %}",
    "{% translate \"a < b & 'c'\" %}",
    '{% translate "Save" as label %}[{{ label }}]',
    '{% translate "Save"|upper %}',
    "{% translate name %}",
    '{% translate "May" context "month name" %}',
    '{% translate "Save" noop %}',
    '{% autoescape off %}{% translate "x & y" %}{% translate name %}{% endautoescape %}',
    "{% blocktranslate count n=3 %}{{ n }} more event{% plural %}{{ n }} more events"
    "{% endblocktranslate %}",
]


@pytest.mark.parametrize("language", ["en", "de", "fr", "ar", "pt-br"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_translate_renders_as_djangos_tag(source, language):
    ours = engines["django"].engine
    assert i18n.register.tags["translate"] is template_library.do_translate
    django_only = Engine(libraries={"django_i18n": "tests.core.django_i18n"})
    context = {"name": "Status <b>"}
    with translation.override(language):
        expected = django_only.from_string("{% load django_i18n %}" + source).render(
            Context(context)
        )
        rendered = ours.from_string("{% load i18n %}" + source).render(Context(context))
    assert rendered == expected


def test_a_literal_is_translated_in_the_active_language():
    template = engines["django"].from_string('{% load i18n %}{% translate "Internal note" %}')
    with translation.override("de"):
        german = template.render({})
    with translation.override("en"):
        english = template.render({})
    assert english == "Internal note" and german != english


def test_one_template_renders_each_language_in_turn():
    """The node keeps its text per language: rendering again in another language (and back)
    answers that language's text."""
    ours = engines["django"].engine.from_string('{% load i18n %}{% translate "Save" %}')
    django_only = Engine(libraries={"django_i18n": "tests.core.django_i18n"}).from_string(
        '{% load django_i18n %}{% translate "Save" %}'
    )
    for language in ("de", "fr", "de", "en", "pt-br", "fr"):
        with translation.override(language):
            assert ours.render(Context({})) == django_only.render(Context({})), language
    with translation.override(None):
        assert ours.render(Context({})) == "Save"
