"""`{% translate "a literal" %}` rendered directly, in Django's own `i18n` template library.

Django's tag resolves the literal through a template `Variable` into a lazy translation
object, then renders that through the template's value rendering (time zone, localization,
escaping), ~20 µs per tag; a desk page has over a hundred of them. For a literal without
filters, context or `noop` this calls `gettext` itself and escapes as that path escaped:
the same text, kept by the node per language (a page renders some literals many times).
Everything else (variables, filters, `context`, `noop`, `blocktranslate`, the other tags and
filters) is Django's own. `install()` (panel1.core's `ready()`) puts the
tag into Django's library itself, so every `{% load i18n %}` gets it (a second library named
`i18n` in the TEMPLATES options would do the same, but the system check warns about it).
"""

from __future__ import annotations

from django.template.base import Variable
from django.templatetags import i18n
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext, trans_real


class TranslateNode(i18n.TranslateNode):
    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        var = self.filter_expression.var
        self.literal = (
            var.literal
            if isinstance(var, Variable)
            and isinstance(var.literal, str)
            and not self.filter_expression.filters
            and not noop
            and message_context is None
            else None
        )
        self._rendered: dict = {}  # (translation object, autoescape) -> text

    def render(self, context):
        if self.literal is None:
            return super().render(context)
        # The text for the active translation: Django loads one per language and keeps it
        # (a catalog never changes; a new translation object is a new key). Not for the
        # NullTranslations that `deactivate_all()` makes anew on every call.
        active = getattr(trans_real._active, "value", None)
        if not isinstance(active, trans_real.DjangoTranslation):
            value = self._translated(context.autoescape)
        else:
            key = (active, context.autoescape)
            value = self._rendered.get(key)
            if value is None:
                value = self._rendered[key] = self._translated(context.autoescape)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _translated(self, autoescape: bool) -> str:
        # What Variable.resolve (translate=True) and render_value_in_context made of it.
        msgid = self.literal.replace("%", "%%")
        value = gettext(mark_safe(msgid) if isinstance(self.literal, SafeData) else msgid)
        value = conditional_escape(value) if autoescape else str(value)
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        return mark_safe(value) if is_safe else value


def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return TranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


def install() -> None:
    """Register the tag as `translate` and `trans` in Django's `i18n` library (once)."""
    i18n.register.tag("translate", do_translate)
    i18n.register.tag("trans", do_translate)
