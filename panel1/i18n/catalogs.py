"""Reading and checking gettext catalogs (locale/<locale>/LC_MESSAGES/<domain>.po and .mo).

Used by the catalog tests (tests/core/test_translation_catalogs.py): a shipped language's
catalog is complete (every message translated, nothing fuzzy, the same placeholders as the
English text), its compiled .mo says what its .po says, and no marked string of the code is
missing from it (`extract_messages`, the same extraction as `make messages`).
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import to_locale

DOMAINS = ("django", "djangojs")
# Named and positional Python placeholders ("%(name)s", "%s", "%d") and JavaScript's
# interpolate() ones; "%%" is a literal percent sign.
PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]")
# What `make messages` leaves out (Makefile MESSAGE_IGNORES), as copytree patterns.
EXTRACTION_IGNORES = (
    ".venv", ".git", ".data", "tests", "benchmarks", "docs", "scripts", "node_modules",
    "test-artifacts", "locale", "__pycache__", "*.pyc", "*.mo", "*.po",
)  # fmt: skip


@dataclass
class Entry:
    msgid: str
    context: str | None = None
    plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def translated_languages() -> list[str]:
    """Every language of LANGUAGES but English (the msgids are English)."""
    return [code for code, _name in settings.LANGUAGES if code.split("-")[0] != "en"]


def catalog_path(language: str, domain: str, suffix: str = ".po") -> Path:
    return Path(settings.LOCALE_PATHS[0]) / to_locale(language) / "LC_MESSAGES" / (domain + suffix)


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po or .pot file (the header and obsolete `#~` entries left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None

    def finish():
        nonlocal current
        if current is not None and current.msgid != "":
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
                flags = set()
                target = None
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            finish()
            current = Entry(msgid="", context=_unquote(line[8:]), flags=set(flags))
            target = ("context", 0)
        elif line.startswith("msgid "):
            if current is None or target != ("context", 0):
                finish()
                current = Entry(msgid="", flags=set(flags))
            current.msgid = _unquote(line[6:])
            target = ("msgid", 0)
        elif line.startswith("msgid_plural "):
            current.plural = _unquote(line[13:])
            target = ("plural", 0)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            current.msgstrs.append(_unquote(line[line.index("]") + 1 :]))
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            current.msgstrs = [_unquote(line[7:])]
            target = ("msgstr", 0)
        elif line.startswith('"') and current is not None and target is not None:
            text = _unquote(line)
            kind, index = target
            if kind == "context":
                current.context = (current.context or "") + text
            elif kind == "msgid":
                current.msgid += text
            elif kind == "plural":
                current.plural = (current.plural or "") + text
            else:
                current.msgstrs[index] += text
    finish()
    return entries


def read_mo(path: Path) -> dict:
    """The compiled catalog: {msgid or "context\\x04msgid": text, (msgid, n): plural form}."""
    with path.open("rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    catalog.pop("", None)  # the header
    return catalog


def compiled_form(entries: list[Entry]) -> dict:
    """What msgfmt compiles `entries` to (untranslated and fuzzy entries are left out)."""
    catalog: dict = {}
    for entry in entries:
        if entry.fuzzy or not any(entry.msgstrs):
            continue
        msgid = entry.msgid if entry.context is None else f"{entry.context}\x04{entry.msgid}"
        if entry.plural is None:
            catalog[msgid] = entry.msgstrs[0]
        else:
            for index, text in enumerate(entry.msgstrs):
                catalog[(msgid, index)] = text
    return catalog


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER_RE.findall(text.replace("%%", "")))


def entry_problems(entry: Entry) -> list[str]:
    """Why `entry` is not a finished translation ([] when it is)."""
    where = repr(entry.msgid[:80]) + (f" (context {entry.context!r})" if entry.context else "")
    if entry.fuzzy:
        return [f"{where}: fuzzy"]
    if not entry.msgstrs or not all(text.strip() for text in entry.msgstrs):
        return [f"{where}: not translated"]
    problems = []
    if entry.plural is None:
        if placeholders(entry.msgstrs[0]) != placeholders(entry.msgid):
            problems.append(f"{where}: placeholders differ: {entry.msgstrs[0]!r}")
    else:
        # A plural form may leave the number out ("one file"), never add a placeholder.
        source = set(placeholders(entry.msgid)) | set(placeholders(entry.plural))
        for text in entry.msgstrs:
            extra = set(placeholders(text)) - source
            if extra:
                problems.append(f"{where}: unknown placeholders {sorted(extra)} in {text!r}")
    return problems


def msgfmt_check(path: Path) -> str:
    """msgfmt's own checks (format strings, headers, plural forms); "" when clean."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return "msgfmt is not installed (apt-get install gettext)"
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    return result.stderr.strip() if result.returncode else ""


def extract_messages(project_root: Path) -> dict[str, set[tuple[str | None, str]]]:
    """The (context, msgid) pairs of every marked string of the code, per domain: the
    extraction of `make messages` (manage.py makemessages) run over a copy of the project, so
    the committed catalogs are not touched. Needs GNU gettext's xgettext."""
    if shutil.which("xgettext") is None:
        raise RuntimeError("xgettext is not installed (apt-get install gettext)")
    found: dict[str, set[tuple[str | None, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="panel1-messages-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(
            project_root, copy, ignore=shutil.ignore_patterns(*EXTRACTION_IGNORES), symlinks=True
        )
        (copy / "locale").mkdir()
        for domain in DOMAINS:
            subprocess.run(
                [sys.executable, "manage.py", "makemessages", "-l", "en", "-d", domain,
                 "--keep-pot", "--add-location=never"],
                cwd=copy, check=True, capture_output=True, text=True,
                env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "panel1.settings",
                     "ENV_FILE": "", "HOME": tmp},
            )  # fmt: skip
            found[domain] = {entry.key for entry in read_po(copy / "locale" / f"{domain}.pot")}
    return found
