"""Ranked full-text search, highlights, typo correction and suggestions for KB articles.

Index. Each article stores two generated tsvector columns with GIN indexes (models.py):
`search_vector` (title A, excerpt and tags B, body C) and `search_head` (title A, excerpt and
tags B). A generated column needs an immutable expression, so it cannot read the tenant's
`kb_search_config` at query time; instead every article keeps the configuration it was indexed
with in a `regconfig` column (`search_config`) that the generated expression uses. The services
stamp the tenant's configuration on each save, and `kb_search_config_sync()` (scheduled, and
`manage.py kb_reindex`) re-stamps articles after the tenant changes it, which regenerates their
vectors. Queries always use the tenant's current configuration.

Ranking. `websearch_to_tsquery` gives the web syntax (quoted phrases, `-exclusion`, `or`).
Ranking every match of a frequent term reads every matching body (slow at 100k articles), so
the ranked set is bounded: every article whose title, excerpt or tags match (up to
HEAD_CANDIDATES, found through the small head index) plus the first MAX_RESULTS matches of
the full index. A title hit therefore always competes, and `count` is exact up to MAX_RESULTS.
Visibility and status are part of the same query (`Article.objects.visible_to`).

Typos. When a query finds fewer than TYPO_THRESHOLD articles, each word that is not in the
tenant's vocabulary (the words of the published articles the searcher may read, from
`ts_stat`, cached per tenant) is replaced by its closest vocabulary word (rapidfuzz, optimal
string alignment distance, ties to the more frequent word), and the corrected query runs.
No PostgreSQL extension is needed.
"""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Window
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledgebase.models import Article, Category, Status, Visibility
from knowledgebase.querysets import visibilities_for

logger = logging.getLogger(__name__)

DEFAULT_CONFIG = "english"
MAX_QUERY_LENGTH = 255
MAX_RESULTS = 1000
HEAD_CANDIDATES = 300
TYPO_THRESHOLD = 3
SUGGEST_TEXT_LENGTH = 2000
SUGGEST_TERMS = 16
VOCABULARY_SIZE = 50_000
VOCABULARY_TTL = 24 * 3600
# ts_headline marks matches with these; the text is escaped, then they become <mark>.
_START, _STOP = "\x02", "\x03"
_WORD_RE = re.compile(r"\w+")
_LEXEME_RE = re.compile(r"[\w.-]+")
_OPERATORS = {"or", "and", "not"}


@dataclass
class SearchHit:
    article: Article
    rank: float
    highlight: str


@dataclass
class SearchResults:
    query: str  # as typed (trimmed)
    total: int  # matches, at most MAX_RESULTS
    hits: list[SearchHit] = field(default_factory=list)
    did_you_mean: str = ""  # a corrected query worth offering
    corrected: bool = False  # the hits are for `did_you_mean`: the query as typed found nothing

    @property
    def searched_query(self) -> str:
        return self.did_you_mean if self.corrected else self.query


# --- configuration ------------------------------------------------------------------------


def search_config() -> str:
    """The tenant's text search configuration; `english` if it names none PostgreSQL knows."""
    from panel1.tenants.services import current_tenant

    name = (current_tenant().kb_search_config or DEFAULT_CONFIG).strip().lower()
    if name == DEFAULT_CONFIG:
        return name
    key = f"kb:tsconfig:{name}"
    known = cache.get(key)
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
            known = cursor.fetchone() is not None
        cache.set(key, known, 600)
    if not known:
        logger.warning("Unknown kb_search_config %r; searching with %r", name, DEFAULT_CONFIG)
        return DEFAULT_CONFIG
    return name


def _web_query(text: str, config: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=config)


class LexemeQuery(SearchQuery):
    """A tsquery of lexemes that are already normalized: cast, never stemmed a second time."""

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = compiler.compile(self.get_source_expressions()[-1])
        return f"({sql})::tsquery", params


def normalize_query(query: str) -> str:
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


# --- ranked search ------------------------------------------------------------------------


def _scope(user, category: Category | None):
    qs = Article.objects.visible_to(user)
    if category is not None:
        # A top-level category lists its sub-categories' articles too (one level only).
        qs = qs.filter(category__in=Category.objects.filter(pk=category.pk) | category.children.all())
    return qs


def _ranked(scope, tsquery, *, limit: int, offset: int) -> tuple[list[tuple], int]:
    """(pk, rank) of one page of the bounded candidate set, and the candidate count."""
    head = scope.filter(search_head=tsquery, search_vector=tsquery).values("pk")
    everything = scope.filter(search_vector=tsquery).values("pk")
    candidates = head[:HEAD_CANDIDATES].union(everything[:MAX_RESULTS])
    offset = min(offset, MAX_RESULTS)
    limit = max(0, min(limit, MAX_RESULTS - offset))
    rows = list(
        Article.objects.filter(pk__in=candidates)
        .annotate(rank=SearchRank(F("search_vector"), tsquery), total=Window(Count("pk")))
        .order_by("-rank", "-published_at", "pk")
        .values_list("pk", "rank", "total")[offset : offset + limit]
    )
    if rows:
        total = rows[0][2]
    elif offset == 0 or limit == 0:
        total = 0 if offset == 0 else Article.objects.filter(pk__in=candidates).count()
    else:
        total = Article.objects.filter(pk__in=candidates).count()
    return [(pk, rank) for pk, rank, _ in rows], min(total, MAX_RESULTS)


def _hits(ranked: list[tuple], tsquery, config: str, *, highlight: bool) -> list[SearchHit]:
    if not ranked:
        return []
    qs = Article.objects.filter(pk__in=[pk for pk, _ in ranked]).select_related(
        "category", "author"
    )
    if highlight:
        qs = qs.annotate(
            headline=SearchHeadline(
                "body_text",
                tsquery,
                config=config,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
    by_pk = {article.pk: article for article in qs}
    return [
        SearchHit(
            article=by_pk[pk],
            rank=float(rank),
            highlight=_highlight_html(getattr(by_pk[pk], "headline", "")),
        )
        for pk, rank in ranked
        if pk in by_pk
    ]


def _highlight_html(raw: str) -> str:
    """Escape the headline text; only the match markers become markup."""
    escaped = html.escape(raw or "", quote=False)
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")


def _run(user, query: str, category, *, limit: int, offset: int, config: str):
    tsquery = _web_query(query, config)
    ranked, total = _ranked(_scope(user, category), tsquery, limit=limit, offset=offset)
    return _hits(ranked, tsquery, config, highlight=True), total


def article_search(
    *,
    user,
    query: str,
    category: Category | None = None,
    limit: int = 20,
    offset: int = 0,
    correct_typos: bool = True,
) -> SearchResults:
    """Rank the articles `user` may read against `query` (web search syntax).

    When the query finds fewer than TYPO_THRESHOLD articles, a spelling-corrected query is
    tried: if the query found nothing and the correction does, its hits are answered
    (`corrected`); otherwise a correction that finds more is only offered (`did_you_mean`).
    """
    query = normalize_query(query)
    results = SearchResults(query=query, total=0)
    if not query:
        return results
    config = search_config()
    results.hits, results.total = _run(
        user, query, category, limit=limit, offset=offset, config=config
    )
    if not correct_typos or results.total >= TYPO_THRESHOLD:
        return results
    corrected = correct_query(query, vocabulary_for(user))
    if not corrected:
        return results
    hits, total = _run(user, corrected, category, limit=limit, offset=offset, config=config)
    if total > results.total:
        results.did_you_mean = corrected
        if results.total == 0:
            results.hits, results.total, results.corrected = hits, total, True
    return results


# --- suggestions --------------------------------------------------------------------------


def article_suggest(*, user, text: str, limit: int = 5) -> list[Article]:
    """The published articles `user` may read that best match free text (a ticket's subject
    and body): any of its most frequent significant words, ranked."""
    text = " ".join((text or "").split())[:SUGGEST_TEXT_LENGTH]
    if not text:
        return []
    config = search_config()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, %s))"
            " ORDER BY cardinality(positions) DESC, positions[1] LIMIT %s",
            [config, text, SUGGEST_TERMS],
        )
        lexemes = [row[0] for row in cursor.fetchall() if _LEXEME_RE.fullmatch(row[0])]
    if not lexemes:
        return []
    tsquery = LexemeQuery(" | ".join(f"'{lexeme}'" for lexeme in lexemes))
    ranked, _ = _ranked(_scope(user, None), tsquery, limit=limit, offset=0)
    return [hit.article for hit in _hits(ranked, tsquery, config, highlight=False)]


# --- typo correction ----------------------------------------------------------------------


def _tier(user) -> str:
    allowed = visibilities_for(user)
    if Visibility.INTERNAL in allowed:
        return "staff"
    if Visibility.CUSTOMERS in allowed:
        return "customers"
    return "public" if allowed else ""


_TIER_VISIBILITIES = {
    "public": [Visibility.PUBLIC],
    "customers": [Visibility.PUBLIC, Visibility.CUSTOMERS],
    "staff": [Visibility.PUBLIC, Visibility.CUSTOMERS, Visibility.INTERNAL],
}


def _vocabulary_key(tier: str) -> str:
    return f"kb:vocabulary:{tier}"


def vocabulary_build(tier: str) -> dict[str, int]:
    """Word -> number of articles, over the published articles a reader of `tier` sees.

    The 'simple' configuration keeps words as written (no stemming), so a correction is a
    real word. Words of articles other readers may not see never enter the tier's list.
    """
    visibilities = ", ".join(f"'{v}'" for v in _TIER_VISIBILITIES[tier])
    inner = (
        "SELECT to_tsvector('simple', title || ' ' || excerpt || ' ' || tags_text || ' ' "
        f"|| body_text) FROM {Article._meta.db_table} "
        f"WHERE status = '{Status.PUBLISHED}' AND visibility IN ({visibilities})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat(%s)"
            " WHERE length(word) BETWEEN 3 AND 40 AND word ~ '^[[:alpha:]]+$'"
            " ORDER BY ndoc DESC, word LIMIT %s",
            [inner, VOCABULARY_SIZE],
        )
        return dict(cursor.fetchall())


def vocabulary_for(user) -> dict[str, int]:
    tier = _tier(user)
    if not tier:
        return {}
    words = cache.get(_vocabulary_key(tier))
    if words is None:
        words = vocabulary_build(tier)
        cache.set(_vocabulary_key(tier), words, VOCABULARY_TTL)
    return words


def vocabulary_refresh() -> dict[str, int]:
    """Rebuild the cached vocabularies of the current tenant; answer their sizes."""
    sizes = {}
    for tier in _TIER_VISIBILITIES:
        started = time.monotonic()
        words = vocabulary_build(tier)
        cache.set(_vocabulary_key(tier), words, VOCABULARY_TTL)
        sizes[tier] = len(words)
        logger.debug("KB vocabulary %s: %d words in %.2fs", tier, len(words), time.monotonic() - started)
    return sizes


def _closest(word: str, vocabulary: dict[str, int]) -> str | None:
    max_distance = 1 if len(word) <= 4 else 2
    matches = process.extract(
        word, vocabulary.keys(), scorer=OSA.distance, score_cutoff=max_distance, limit=10
    )
    if not matches:
        return None
    best = min(matches, key=lambda m: (m[1], -vocabulary[m[0]], m[0]))
    return best[0]


def correct_query(query: str, vocabulary: dict[str, int]) -> str | None:
    """The query with unknown words replaced by their closest vocabulary words, or None.

    Operators, quotes and `-` prefixes stay as typed; short words and numbers are kept.
    """
    if not vocabulary:
        return None

    def fix(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in _OPERATORS or len(lower) < 3 or not lower.isalpha() or lower in vocabulary:
            return word
        return _closest(lower, vocabulary) or word

    corrected = _WORD_RE.sub(fix, query)
    return corrected if corrected.lower() != query.lower() else None
