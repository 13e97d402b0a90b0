"""The shipped catalogs: complete, compiled, and current with the code (issue #18).

Every language of LANGUAGES but English needs locale/<locale>/LC_MESSAGES/django.po and
djangojs.po (translators write them; docs/translations.md) and their compiled .mo files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from panel1.i18n.catalogs import (
    DOMAINS,
    catalog_path,
    compiled_form,
    entry_problems,
    extract_messages,
    msgfmt_check,
    read_mo,
    read_po,
    translated_languages,
)

CATALOGS = [(language, domain) for language in translated_languages() for domain in DOMAINS]


def _po(language: str, domain: str) -> Path:
    path = catalog_path(language, domain)
    assert path.exists(), f"{path} is missing: run `make messages` and translate it"
    return path


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_catalogs_are_complete(language, domain):
    entries = read_po(_po(language, domain))
    problems = [problem for entry in entries for problem in entry_problems(entry)]
    assert not problems, f"{len(problems)} problems in {language} {domain}: " + "; ".join(
        problems[:20]
    )
    assert msgfmt_check(catalog_path(language, domain)) == ""


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_compiled_catalogs_match_their_sources(language, domain):
    source = compiled_form(read_po(_po(language, domain)))
    compiled_path = catalog_path(language, domain, ".mo")
    assert compiled_path.exists(), f"{compiled_path} is missing: run `make compilemessages`"
    compiled = read_mo(compiled_path)
    assert compiled == source, (
        f"{compiled_path} is older than its .po: run `make compilemessages` "
        f"({len(set(source) ^ set(compiled))} messages differ)"
    )


@pytest.fixture(scope="module")
def extracted():
    return extract_messages(Path(settings.BASE_DIR))


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_no_string_of_the_code_is_missing_from_a_catalog(extracted, language, domain):
    known = {entry.key for entry in read_po(_po(language, domain))}
    missing = sorted(extracted[domain] - known, key=lambda key: (key[0] or "", key[1]))
    assert not missing, (
        f"{len(missing)} strings of the code are not in {language} {domain}.po "
        f"(run `make messages` and translate them): "
        + "; ".join(repr(msgid[:60]) for _context, msgid in missing[:20])
    )


def test_the_extraction_finds_the_marked_strings(extracted):
    """The staleness check sees Python, templates, mail defaults and scripts."""
    django_ids = {msgid for _context, msgid in extracted["django"]}
    js_ids = {msgid for _context, msgid in extracted["djangojs"]}
    assert "Choose one of the offered languages." in django_ids  # a service's error
    assert "Languages offered" in django_ids  # a form label
    assert "Received: %(ticket_subject)s" in django_ids  # a mail subject default
    assert "Log in" in django_ids  # a template
    assert ("automation condition group", "Match") in extracted["djangojs"]
    assert "Draft restored from this browser" in js_ids
