"""`{% url %}` remembers reversed addresses (panel1/core/url_tag.py): the same output as
Django's own tag, and nothing remembered outlives the URLconf, prefix or arguments it was
reversed for."""

import uuid

import pytest
from django.template import Context, Engine, defaulttags, engines
from django.urls import NoReverseMatch, clear_url_caches, set_script_prefix, set_urlconf

from panel1.core import url_tag

TEMPLATES = [
    "{% url 'desk:ticket' ref %}",
    "{% url 'desk:ticket' ref as link %}[{{ link }}]",
    "{% url 'desk:queue' key %}|{% url 'desk:queue' 'mine' %}",
    "{% url 'desk:customer' pk %}",
    "{% url 'desk:nothing-here' as missing %}[{{ missing }}]",
    "{% autoescape off %}{% url 'desk:ticket' odd %}{% endautoescape %}{% url 'desk:ticket' odd %}",
    "{% url 'desk:dashboard' %}",
]
CONTEXT = {
    "ref": "SUP-2026-00000042",
    "key": "open",
    "pk": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "odd": "a&b<c> d",
}


def _django_only(source: str) -> str:
    engine = Engine(libraries={"django_url": "tests.core.django_url"})
    return engine.from_string("{% load django_url %}" + source).render(Context(CONTEXT))


@pytest.mark.parametrize("source", TEMPLATES)
def test_url_renders_as_djangos_tag(source):
    assert defaulttags.register.tags["url"] is url_tag.url
    ours = engines["django"].engine.from_string(source)
    for _ in range(2):  # reversed, then remembered
        assert ours.render(Context(CONTEXT)) == _django_only(source)


def test_a_failing_reverse_raises_every_time():
    template = engines["django"].engine.from_string("{% url 'desk:ticket' %}")
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            template.render(Context({}))


def test_other_arguments_prefixes_and_urlconfs_are_not_served_a_remembered_address():
    template = engines["django"].engine.from_string("{% url 'desk:ticket' ref %}")
    first = template.render(Context({"ref": "A-1"}))
    assert first.endswith("/A-1/")
    assert template.render(Context({"ref": "A-2"})).endswith("/A-2/")
    try:
        set_script_prefix("/sub/")
        assert template.render(Context({"ref": "A-1"})) == "/sub" + first
    finally:
        set_script_prefix("/")
    try:
        set_urlconf("panel1.urls_public")  # no desk there
        with pytest.raises(NoReverseMatch):
            template.render(Context({"ref": "A-1"}))
    finally:
        set_urlconf(None)
    clear_url_caches()  # a new resolver: reversed again, the same address
    assert template.render(Context({"ref": "A-1"})) == first
