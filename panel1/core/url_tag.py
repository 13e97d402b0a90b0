"""`{% url %}` with the reversed address remembered per URLconf, script prefix, namespace and
arguments, in Django's own `defaulttags` library.

`reverse()` walks the resolver's patterns and quotes the arguments on every call (~40 µs); a
desk ticket page has about sixty `{% url %}` tags, most of them the same few addresses of the
one ticket. The address a `reverse()` answers depends only on the view name, the arguments,
the current namespace, the URLconf and the script prefix, so this node remembers it under
exactly those, and under the resolver object itself (`clear_url_caches()`, as tests and
`override_settings(ROOT_URLCONF=...)` call it, makes a new one, so nothing stale is reused).
Only plain argument values (text, numbers, UUIDs) are remembered: anything else, and every
failure, goes through Django's own node. The output is what Django's node prints (escaped
under autoescape, `as var` kept). `install()` (panel1.core's `ready()`) puts the tag into
Django's library, so every template gets it.
"""

from __future__ import annotations

import uuid

from django.template import defaulttags
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

# Distinct addresses differ by their arguments (ticket numbers...): bounded, emptied when full.
MAX_REMEMBERED = 20_000
_PLAIN = (str, int, uuid.UUID)


class URLNode(defaulttags.URLNode):
    _remembered: dict = {}

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        values = [*args, *kwargs.values()]
        if not all(type(v) in _PLAIN for v in values):  # bool is an int: exact types only
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:  # as Django's node finds it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        urlconf = get_urlconf()
        key = (
            get_resolver(urlconf),
            get_script_prefix(),
            current_app,
            view_name,
            tuple(args),
            tuple(sorted(kwargs.items())),
        )
        url = self._remembered.get(key)
        if url is None:
            try:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
                url = ""
            else:
                if len(self._remembered) >= MAX_REMEMBERED:
                    self._remembered.clear()
                self._remembered[key] = url
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)


def install() -> None:
    """Register the tag as `url` in Django's built-in `defaulttags` library (once)."""
    defaulttags.register.tag("url", url)
