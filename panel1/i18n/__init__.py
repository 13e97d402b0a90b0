"""Interface languages and time zones: which language and zone a request, a person or a mail
gets (`languages`), the middleware that activates them, the language switch and the
JavaScript catalog (`views`). docs/translations.md describes the translators' workflow."""
