"""Django's own `{% url %}` tag, as a library of its own, for tests that compare with it."""

from django.template import Library, defaulttags

register = Library()
register.tag("url", defaulttags.url)
