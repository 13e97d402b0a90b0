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
Ranking every match of a frequent term reads every matching vector (the slow case at 100k
articles), so the ranked set is bounded: up to HEAD_CANDIDATES articles whose title, excerpt
or tags match (found through the small head index), and only when there are fewer, up to
BODY_CANDIDATES matches of the full index too. They are ranked with `ts_rank` (weights A 1.0,
B 0.4, C 0.2: a title hit outranks a body hit). `total` is exact when neither bound was
reached, else a lower bound (`exact` False). Visibility and status are part of the same
query (`Article.objects.visible_to`). Highlights run `ts_headline` on a window of the body
around the first query word, for the page's articles only.

Typos. When a query finds fewer than TYPO_THRESHOLD articles, each word that is not in the
tenant's vocabulary (the words of the published articles the searcher may read, from
`ts_stat` with the 'simple' configuration, cached per tenant and reader tier in the
tenant-aware cache, rebuilt hourly and after publishing) is replaced by its closest vocabulary
word (rapidfuzz, optimal string alignment distance, ties to the more frequent word), and the
corrected query runs. No PostgreSQL extension is needed.
"""

from __future__ import annotations

import html
import logging
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Max, Q
from django.db.models.expressions import RawSQL
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledgebase.models import Article, Category, Status, Visibility
from knowledgebase.querysets import translated_into, visibilities_for
from panel1.content_language import (
    SEARCH_CONFIGS,
    current_language,
    default_language,
    normalize_language,
)

logger = logging.getLogger(__name__)

DEFAULT_CONFIG = "english"
FALLBACK_CONFIG = "simple"
MAX_QUERY_LENGTH = 255
HEAD_CANDIDATES = 100
BODY_CANDIDATES = 200
HIGHLIGHT_WINDOW = 360
TYPO_THRESHOLD = 3
SUGGEST_TEXT_LENGTH = 2000
SUGGEST_TERMS = 16
VOCABULARY_SIZE = 50_000
VOCABULARY_TTL = 24 * 3600
# Up to this many published articles the vocabulary is built in the request (milliseconds).
SYNC_VOCABULARY_MAX = 3000
# ts_headline marks matches with these; the text is escaped, then they become <mark>.
_START, _STOP = "\x02", "\x03"
_HEADLINE_OPTIONS = f'StartSel="{_START}", StopSel="{_STOP}", MaxWords=30, MinWords=12, ShortWord=2'
_WORD_RE = re.compile(r"\w+")
_LEXEME_RE = re.compile(r"[\w.-]+")
_OPERATORS = {"or", "and", "not"}
_NEGATED_RE = re.compile(r'(?:^|(?<=\s))-(?:"[^"]*"?|\S+)')


@dataclass
class SearchHit:
    article: Article
    rank: float
    highlight: str


@dataclass
class SearchResults:
    query: str  # as typed (trimmed)
    total: int  # matches, bounded (see the module docstring)
    hits: list[SearchHit] = field(default_factory=list)
    exact: bool = True  # False: `total` is a lower bound, more articles match
    did_you_mean: str = ""  # a corrected query worth offering
    corrected: bool = False  # the hits are for `did_you_mean`: the query as typed found nothing
    language: str = ""  # the reader's language searched (the default language backs it up)

    @property
    def searched_query(self) -> str:
        return self.did_you_mean if self.corrected else self.query


# --- configuration ------------------------------------------------------------------------


def search_config() -> str:
    """The tenant's text search configuration; `english` if it names none PostgreSQL knows.
    It indexes the articles of the tenant's default language (`search_config_for`)."""
    from panel1.tenants.services import current_tenant

    name = (current_tenant().kb_search_config or DEFAULT_CONFIG).strip().lower()
    if name == DEFAULT_CONFIG or _config_known(name):
        return name
    logger.warning("Unknown kb_search_config %r; searching with %r", name, DEFAULT_CONFIG)
    return DEFAULT_CONFIG


def _config_known(name: str) -> bool:
    key = f"kb:tsconfig:{name}"
    known = cache.get(key)
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
            known = cursor.fetchone() is not None
        cache.set(key, known, 600)
    return known


def search_config_for(language: str) -> str:
    """The configuration articles in `language` are indexed and searched with: the tenant's
    own for its default language (what it chose before articles had languages), else the
    language's stemmer (`german` for `de`, ...) when PostgreSQL has it, else `simple`."""
    if language == default_language():
        return search_config()
    name = SEARCH_CONFIGS.get(language, FALLBACK_CONFIG)
    return name if name == FALLBACK_CONFIG or _config_known(name) else FALLBACK_CONFIG


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


def _scope(user, category: Category | None, language: str, hide_translated_into: str | None):
    qs = Article.objects.visible_to(user).filter(language=language)
    if hide_translated_into:
        # The fallback run: a default-language article only when its group has no readable
        # translation in the reader's language (that one is found by the first run).
        qs = qs.exclude(translated_into(user, hide_translated_into))
    if category is not None:
        # A top-level category lists its sub-categories' articles too (one level only).
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    return qs


def language_runs(language: str | None) -> list[tuple[str, str | None]]:
    """(language searched, reader language whose translations hide its articles): the
    reader's language, then the default language as the fallback."""
    reader = normalize_language(language) if language else current_language()
    reader = reader or default_language()
    default = default_language()
    return [(reader, None)] if reader == default else [(reader, None), (default, reader)]


def _fetch_with_index_scans(sql: str, params: tuple) -> list[tuple]:
    """Run the candidate query with sequential scans off, in one round trip.

    With a LIMIT and a frequent term a sequential scan can look cheaper to the planner than
    the GIN index; when the planner misjudges how many rows match (phrases, rare pairs of
    common words) it reads the whole table. Index scans keep the cost bounded by the
    posting lists. SET LOCAL holds for the implicit transaction of this one message (or the
    caller's transaction, hence the reset). Django's psycopg cursor binds parameters
    client-side, so the three statements travel together.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL enable_seqscan = off; {sql}; SET LOCAL enable_seqscan = on", params
        )
        cursor.nextset()
        rows = cursor.fetchall()
        cursor.nextset()
    return rows


@dataclass
class _Candidates:
    ranked: list[tuple]  # (pk, rank), best first
    total: int
    exact: bool  # False: there are more matches than were ranked


def _candidate_statement(scope, tsquery, *, negated: bool) -> tuple[str, tuple]:
    """The SQL of the candidate query (see `_candidates`)."""
    rank = SearchRank(F("search_vector"), tsquery)
    # Newer first among equal ranks; a float is cheaper to load than ~300 datetimes.
    published = RawSQL("COALESCE(EXTRACT(EPOCH FROM published_at), 0)::float8", ())
    fields = ("pk", "rank", "published")
    head = scope.filter(search_head=tsquery)
    if negated:
        # Title, excerpt and tags match, but the excluded word may be in the body.
        head = head.alias(full_match=_Match(F("search_vector"), tsquery)).filter(full_match=True)
    head = head.order_by().annotate(rank=rank, published=published)
    head = head.values_list(*fields)[:HEAD_CANDIDATES]
    body = scope.filter(search_vector=tsquery).order_by().annotate(rank=rank, published=published)
    body = body.values_list(*fields)[:BODY_CANDIDATES]
    head_sql, head_params = head.query.sql_with_params()
    body_sql, body_params = body.query.sql_with_params()
    sql = (
        f"WITH head AS MATERIALIZED ({head_sql}) SELECT *, 'h' FROM head UNION ALL "
        f"SELECT *, 'b' FROM ({body_sql}) AS body WHERE (SELECT count(*) FROM head) < %s"
    )
    return sql, (*head_params, *body_params, HEAD_CANDIDATES)


# Compiling the candidate query through the ORM costs more CPU than PostgreSQL spends running
# it, and it only varies by who reads (the visibility filter), the category, exclusion and
# the configuration: it is compiled once per such key with a placeholder for the query text.
# (`visible_to` depends on the reader's visibilities only; should it ever depend on more of
# the user, the key must include it.)
_STATEMENTS: dict[tuple, tuple[str, tuple]] = {}
_QUERY_PLACEHOLDER = "\x00kb-query\x00"


def _candidates(
    user,
    category: Category | None,
    query: str,
    *,
    negated: bool,
    lexemes: bool,
    language: str,
    hide_translated_into: str | None = None,
) -> _Candidates:
    """The bounded candidate set, ranked.

    One statement: up to HEAD_CANDIDATES articles whose title, excerpt or tags match (the
    small head index; a head match is a full match unless the query excludes a word, which
    is then checked as a plain filter); only when those are fewer, up to BODY_CANDIDATES
    matches of the full index as well (a one-time filter skips that scan otherwise: a
    frequent term never walks the big posting list). The rank is computed in the
    projection, so only rows that survive a LIMIT are ranked. `lexemes`: `query` is a
    tsquery of normalized lexemes, else web search syntax. Only articles in `language` are
    candidates, searched with that language's configuration.
    """
    config = search_config_for(language)
    key = (
        visibilities_for(user), category.pk if category else None, config, negated, lexemes,
        HEAD_CANDIDATES, BODY_CANDIDATES, language, hide_translated_into,
    )  # fmt: skip
    statement = _STATEMENTS.get(key)
    if statement is None:
        placeholder = (
            LexemeQuery(_QUERY_PLACEHOLDER) if lexemes else _web_query(_QUERY_PLACEHOLDER, config)
        )
        scope = _scope(user, category, language, hide_translated_into)
        statement = _candidate_statement(scope, placeholder, negated=negated)
        if len(_STATEMENTS) > 256:
            _STATEMENTS.clear()
        _STATEMENTS[key] = statement
    sql, params = statement
    params = tuple(query if value == _QUERY_PLACEHOLDER else value for value in params)
    rows = _fetch_with_index_scans(sql, params)
    best: dict = {}
    for pk, score, published, _ in rows:
        best[pk] = (score, published)
    ordered = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], str(item[0])))
    from_head = sum(1 for row in rows if row[3] == "h")
    from_body = len(rows) - from_head
    exact = from_head < HEAD_CANDIDATES and from_body < BODY_CANDIDATES
    return _Candidates([(pk, score) for pk, (score, _) in ordered], len(ordered), exact)


class _Match(Func):
    # `vector @@ query` spelled as a function call: the same test, but not indexable.
    function = "ts_match_vq"
    output_field = BooleanField()


LIST_FIELDS = (
    "id", "slug", "title", "excerpt", "tags", "status", "visibility", "published_at",
    "updated_at", "view_count", "helpful_count", "not_helpful_count", "category_id",
    "category__id", "category__name", "category__slug", "author_id", "author__id",
    "author__name", "language", "translation_of_id",
)  # fmt: skip


def articles_for_list(qs):
    """Only what lists show: never the bodies or the search vectors (a page of 20 would
    otherwise read ~100 kB it does not use)."""
    return qs.select_related("category", "author").only(*LIST_FIELDS)


def _hits(ranked: list[tuple], *, query: str = "") -> list[SearchHit]:
    if not ranked:
        return []
    qs = articles_for_list(Article.objects.filter(pk__in=[pk for pk, _ in ranked]))
    if query:
        qs = qs.annotate(**_headline_annotations(query))
    by_pk = {article.pk: article for article in qs}
    return [
        SearchHit(
            article=by_pk[pk],
            rank=float(score),
            highlight=_highlight_html(by_pk[pk]) if query else "",
        )
        for pk, score in ranked
        if pk in by_pk
    ]


def _positive_prefixes(query: str) -> list[str]:
    prefixes = []
    for match in _WORD_RE.finditer(query.lower()):
        word = match.group(0)
        negated = match.start() > 0 and query[match.start() - 1] == "-"
        if not negated and word not in _OPERATORS and word[:5] not in prefixes:
            prefixes.append(word[:5])
    return prefixes[:8]


def positive_query(query: str) -> str:
    """The query without its `-exclusions`: what a highlight can mark."""
    return " ".join(_NEGATED_RE.sub(" ", query).split())


def _headline_annotations(query: str) -> dict:
    """`headline`: "<window start>:<ts_headline over a window of the body>".

    ts_headline parses all the text it gets (about 0.5 ms for an average body here), so it
    only gets HIGHLIGHT_WINDOW characters around the first word that starts like a query
    word (one case-insensitive regexp_instr, PostgreSQL 15+); it still decides, with the
    real stemmer, what to mark (each article's own configuration: results may mix the
    reader's language and the fallback). The correlated sub-select finds the window once per
    row.
    """
    query = positive_query(query)
    prefixes = _positive_prefixes(query)
    lead = HIGHLIGHT_WINDOW // 3
    if prefixes:
        # The prefixes are runs of \w: nothing in them means anything to a regular expression.
        position = "COALESCE(NULLIF(regexp_instr(body_text, %s, 1, 1, 0, 'i'), 0), 1)"
        position_params = [r"\m(?:" + "|".join(prefixes) + ")"]
    else:
        position, position_params = "1", []
    size = HIGHLIGHT_WINDOW
    window = (
        f"CASE WHEN w.pos > {lead} THEN regexp_replace(substr(body_text, w.pos - {lead}, "
        f"{size}), '^\\S*\\s+', '') ELSE substr(body_text, 1, {size}) END"
    )
    sql = (
        f"(SELECT w.pos::text || ':' || ts_headline(search_config, {window}, "
        f"websearch_to_tsquery(search_config, %s), %s) FROM (SELECT {position} AS pos) AS w)"
    )
    params = [query, _HEADLINE_OPTIONS, *position_params]
    return {"headline": RawSQL(sql, params)}


def _highlight_html(article: Article) -> str:
    """Escape the headline text; only the match markers become markup. When the body does
    not contain the words (a title or tag match), the excerpt stands in."""
    position, _, headline = (getattr(article, "headline", "") or "").partition(":")
    text = " ".join(headline.split())
    if _START not in text:
        return html.escape(article.excerpt, quote=False)
    escaped = html.escape(text, quote=False)
    marked = escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
    cut = position.isdigit() and int(position) > HIGHLIGHT_WINDOW // 3
    return f"… {marked}" if cut else marked


def _merged(runs: list[_Candidates]) -> _Candidates:
    # Ranks of different configurations are comparable enough (same weights, same
    # normalization); the sort is stable, so the reader's language wins ties.
    ranked = sorted((row for run in runs for row in run.ranked), key=lambda row: -row[1])
    return _Candidates(ranked, sum(r.total for r in runs), all(r.exact for r in runs))


def _run(user, query: str, category, *, limit: int, offset: int, language: str | None):
    negated = bool(_NEGATED_RE.search(query))
    found = _merged(
        [
            _candidates(
                user,
                category,
                query,
                negated=negated,
                lexemes=False,
                language=searched,
                hide_translated_into=hidden,
            )  # fmt: skip
            for searched, hidden in language_runs(language)
        ]
    )
    page = found.ranked[offset : offset + limit] if limit > 0 else []
    return _hits(page, query=query), found.total, found.exact


def article_search(*, user, query: str, **options) -> SearchResults:
    """`_article_search`, then the plugins' `filter.kb_search_results` (which may reorder or
    drop hits, given as `{slug, title, rank, highlight}` dicts; added entries are ignored)."""
    results = _article_search(user=user, query=query, **options)
    if results.hits:
        results.hits = _plugin_filtered(results)
    return results


def _plugin_filtered(results: SearchResults) -> list[SearchHit]:
    from panel1.plugins import hooks

    by_slug = {hit.article.slug: hit for hit in results.hits}
    rows = [
        {"slug": h.article.slug, "title": h.article.title, "rank": h.rank, "highlight": h.highlight}
        for h in results.hits
    ]
    rows = hooks.apply_filter("filter.kb_search_results", rows, {"query": results.query})
    slugs = [row.get("slug") for row in rows if isinstance(row, dict)]
    return [by_slug[slug] for slug in dict.fromkeys(slugs) if slug in by_slug]


def _article_search(
    *,
    user,
    query: str,
    category: Category | None = None,
    limit: int = 20,
    offset: int = 0,
    correct_typos: bool = True,
    language: str | None = None,
) -> SearchResults:
    """Rank the articles `user` may read against `query` (web search syntax), in `language`
    (default: the current one) with the default language as the fallback (`language_runs`).

    When the query finds fewer than TYPO_THRESHOLD articles, a spelling-corrected query is
    tried: if the query found nothing and the correction does, its hits are answered
    (`corrected`); otherwise a correction that finds more is only offered (`did_you_mean`).
    """
    query = normalize_query(query)
    results = SearchResults(query=query, total=0)
    if not query:
        return results
    results.language = language_runs(language)[0][0]
    results.hits, results.total, results.exact = _run(
        user, query, category, limit=limit, offset=offset, language=language
    )
    if not correct_typos or results.total >= TYPO_THRESHOLD:
        return results
    corrected = correct_query(query, vocabulary_for(user))
    if not corrected:
        return results
    hits, total, exact = _run(
        user, corrected, category, limit=limit, offset=offset, language=language
    )
    if total > results.total:
        results.did_you_mean = corrected
        if results.total == 0:
            results.hits, results.total, results.exact = hits, total, exact
            results.corrected = True
    return results


# --- suggestions --------------------------------------------------------------------------


def article_suggest(
    *, user, text: str, limit: int = 5, language: str | None = None
) -> list[Article]:
    """The published articles `user` may read that best match free text (a ticket's subject
    and body): any of its most frequent significant words, ranked; in `language` (default:
    the current one) with the default language as the fallback."""
    text = " ".join((text or "").split())[:SUGGEST_TEXT_LENGTH]
    if not text:
        return []
    runs = []
    for searched, hidden in language_runs(language):
        tsquery = _suggest_tsquery(text, search_config_for(searched))
        if tsquery:
            runs.append(
                _candidates(
                    user,
                    None,
                    tsquery,
                    negated=False,
                    lexemes=True,
                    language=searched,
                    hide_translated_into=hidden,
                )  # fmt: skip
            )
    return [hit.article for hit in _hits(_merged(runs).ranked[:limit])]


def _suggest_tsquery(text: str, config: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, %s))"
            " ORDER BY cardinality(positions) DESC, positions[1] LIMIT %s",
            [config, text, SUGGEST_TERMS],
        )
        lexemes = [row[0] for row in cursor.fetchall() if _LEXEME_RE.fullmatch(row[0])]
    return " | ".join(f"'{lexeme}'" for lexeme in lexemes)


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


def _words_of(visibility: str) -> dict[str, int]:
    # The 'simple' configuration keeps words as written (no stemming): a correction is a real
    # word. Parsing is the cost (~5 MB/s), so bodies count with their first 2,000 characters.
    inner = (
        "SELECT to_tsvector('simple', title || ' ' || excerpt || ' ' || tags_text || ' ' "
        f"|| left(body_text, 2000)) FROM {Article._meta.db_table} "
        f"WHERE status = '{Status.PUBLISHED}' AND visibility = '{visibility}'"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat(%s)"
            " WHERE length(word) BETWEEN 3 AND 40 AND word ~ '^[[:alpha:]]+$'"
            " ORDER BY ndoc DESC, word LIMIT %s",
            [inner, VOCABULARY_SIZE],
        )
        return dict(cursor.fetchall())


def vocabulary_build() -> dict[str, dict[str, int]]:
    """Per reader tier: word -> number of published articles of the tier that use it.

    Each visibility is parsed once and the tiers are merged from those, so words of articles
    a reader may not see never enter the reader's vocabulary.
    """
    per_visibility = {visibility: _words_of(visibility) for visibility in Visibility.values}
    tiers = {}
    for tier, visibilities in _TIER_VISIBILITIES.items():
        merged: Counter[str] = Counter()
        for visibility in visibilities:
            merged.update(per_visibility[visibility])
        tiers[tier] = dict(merged.most_common(VOCABULARY_SIZE))
    return tiers


def _content_stamp() -> str:
    # Any edit moves updated_at (views and votes do not: they are counter updates).
    stamp = Article.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{stamp['n']}:{stamp['last']}"


def vocabulary_refresh(*, force: bool = True) -> dict[str, int] | None:
    """Rebuild and cache the current tenant's vocabularies; answer their sizes. Without
    `force`, skip the work (None) when no article changed since the last build."""
    stamp = _content_stamp()
    fresh = cache.get("kb:vocabulary:stamp") == stamp and all(
        cache.has_key(_vocabulary_key(tier)) for tier in _TIER_VISIBILITIES
    )
    if fresh and not force:
        return None
    started = time.monotonic()
    tiers = vocabulary_build()
    cache.set_many({_vocabulary_key(t): words for t, words in tiers.items()}, VOCABULARY_TTL)
    cache.set("kb:vocabulary:stamp", stamp, VOCABULARY_TTL)
    cache.set("kb:vocabulary:version", uuid.uuid4().hex, VOCABULARY_TTL)
    logger.info("KB vocabulary rebuilt in %.2fs", time.monotonic() - started)
    return {tier: len(words) for tier, words in tiers.items()}


def vocabulary_refresh_soon() -> None:
    """Queue one vocabulary rebuild for the tenant (at most one waiting at a time)."""
    from panel1 import jobs

    if cache.add("kb:vocabulary:pending", 1, 600):
        jobs.enqueue("knowledgebase.tasks.vocabulary_refresh_task")


# Unpickling a 50,000-word vocabulary from the cache costs milliseconds, so each process keeps
# the few it used last, keyed by the tenant, tier and build version from the shared cache: a
# rebuild anywhere changes the version, so no process answers from a stale copy.
_MEMO: dict[tuple[str, str, str], dict[str, int]] = {}
_MEMO_SIZE = 16


def vocabulary_for(user) -> dict[str, int]:
    """The cached vocabulary of the reader's tier. A small knowledge base builds it on the
    spot; a large one (seconds of parsing) gets a background rebuild and no correction now."""
    tier = _tier(user)
    if not tier:
        return {}
    version = cache.get("kb:vocabulary:version")
    memo_key = (connection.schema_name, tier, version or "")
    if version and memo_key in _MEMO:
        return _MEMO[memo_key]
    words = cache.get(_vocabulary_key(tier)) if version else None
    if words is None:
        if not _small_knowledge_base():
            vocabulary_refresh_soon()
            return {}
        vocabulary_refresh()
        version = cache.get("kb:vocabulary:version")
        memo_key = (connection.schema_name, tier, version or "")
        words = cache.get(_vocabulary_key(tier)) or {}
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[memo_key] = words
    return words


def _small_knowledge_base() -> bool:
    published = Article.objects.published().order_by().values("pk")[:SYNC_VOCABULARY_MAX]
    return published.count() < SYNC_VOCABULARY_MAX


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
