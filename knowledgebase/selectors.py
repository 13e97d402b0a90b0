"""Reads shared by the API, the pages and the admin."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    Max,
    Prefetch,
    Q,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledgebase.models import Article, ArticleFeedback, ArticleImage, Category, SearchRecord
from knowledgebase.querysets import is_kb_staff
from knowledgebase.search import articles_for_list
from panel1.content_language import (
    current_language,
    default_language,
    normalize_language,
    offered_languages,
)
from panel1.exceptions import NotFound


def _readable(user):
    return Article.objects.all() if is_kb_staff(user) else Article.objects.visible_to(user)


def article_get_for(user, slug: str) -> Article:
    """The article at `slug` if `user` may read it. Staff also get drafts and archived
    articles (to preview and edit them); everyone else only what `visible_to` allows."""
    article = _readable(user).select_related("category", "author").filter(slug=slug).first()
    if article is None:
        raise NotFound({"detail": [_("Not found.")]})
    return article


def image_get_for(user, pk) -> ArticleImage:
    """The article image `pk` if `user` may see it: staff see every image (the editor shows
    drafts); everyone else only images of an article they may read, either the article it was
    uploaded for or one whose text shows it (a translation, an image reused elsewhere)."""
    image = ArticleImage.objects.filter(pk=pk).first()
    if image is None or is_kb_staff(user):
        return _found(image)
    readable = Article.objects.visible_to(user)
    if image.article_id and readable.filter(pk=image.article_id).exists():
        return image
    shown = readable.filter(body__contains=f"/kb/images/{image.pk}/").exists()
    return _found(image if shown else None)


def _found(image: ArticleImage | None) -> ArticleImage:
    if image is None:
        raise NotFound({"detail": [_("Not found.")]})
    return image


def reader_languages(language: str | None = None) -> tuple[str, str]:
    """(the reader's language, the tenant default): `language` when it is a shipped code,
    else the current language."""
    reader = (normalize_language(language) if language else None) or current_language()
    return reader, default_language()


def article_for_reader(user, article: Article, *, language: str | None = None) -> Article:
    """What a reader of `language` (default: the current one) is shown for `article`: its
    group's article in that language when they may read it, else the default-language one,
    else `article` itself. `fallback` is True when the answer is not in their language."""
    reader, default = reader_languages(language)
    chosen = article
    if article.language != reader:
        # Published ones only, staff included: a draft translation is not shown to readers.
        group = Article.objects.visible_to(user).filter(
            Q(pk=article.group_id) | Q(translation_of_id=article.group_id),
            language__in=[reader, default],
        )
        found = {a.language: a for a in group.select_related("category", "author")}
        chosen = found.get(reader) or found.get(default) or article
    chosen.fallback = chosen.language != reader
    return chosen


def article_translations(user, articles) -> None:
    """Set `translation_list` on each article: the other articles of its group `user` may
    read (staff: all of them), as one query for the whole page."""
    articles = list(articles)
    groups = {a.group_id for a in articles}
    by_group: dict = {}
    if groups:
        rows = (
            _readable(user)
            .filter(Q(pk__in=groups) | Q(translation_of_id__in=groups))
            .order_by("language")
            .values("id", "slug", "title", "language", "status", "translation_of_id")
        )
        for row in rows:
            by_group.setdefault(row["translation_of_id"] or row["id"], []).append(row)
    for article in articles:
        article.translation_list = [
            row for row in by_group.get(article.group_id, []) if row["id"] != article.pk
        ]


def article_list_for(user, *, category: Category | None = None, language: str | None = None):
    """Published articles `user` may read in `language` (default: the current one), with the
    default-language article where its group has no such translation; newest first, with
    only the fields lists show. Each article's `is_fallback` says which are which."""
    reader, default = reader_languages(language)
    qs = Article.objects.for_reader(user, language=reader, default=default)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    qs = qs.annotate(is_fallback=ExpressionWrapper(~Q(language=reader), BooleanField()))
    return articles_for_list(qs).order_by("-published_at", "-pk")


def article_popular_for(user, *, limit: int = 6, language: str | None = None):
    reader, default = reader_languages(language)
    return articles_for_list(
        Article.objects.for_reader(user, language=reader, default=default)
    ).order_by("-view_count", "-published_at")[:limit]


def category_tree_for(user, *, language: str | None = None) -> list[Category]:
    """Top-level categories with their sub-categories, each with `article_count` (articles
    a reader of `language` is shown, sub-categories included in their parent's), empty ones
    left out."""
    reader, default = reader_languages(language)
    children = Category.objects.with_visible_counts(user, language=reader, default=default)
    top = list(
        Category.objects.top_level()
        .with_visible_counts(user, language=reader, default=default)
        .prefetch_related(Prefetch("children", queryset=children, to_attr="subcategories"))
    )
    for category in top:
        category.subcategories = [c for c in category.subcategories if c.article_count]
        category.total_count = category.article_count + sum(
            c.article_count for c in category.subcategories
        )
    return [c for c in top if c.total_count]


def category_get(slug: str) -> Category | None:
    return Category.objects.select_related("parent").filter(slug=slug).first()


# --- search analytics ---------------------------------------------------------------------


def _recent(since: datetime | None):
    since = since or timezone.now() - timedelta(days=30)
    return SearchRecord.objects.filter(created_at__gte=since)


def search_top_queries(*, since: datetime | None = None, limit: int = 25) -> list[dict]:
    """The most frequent queries: searches, average results, how often a reader then opened
    an article or filed a ticket."""
    return list(
        _recent(since)
        .values("normalized_query")
        .annotate(
            searches=Count("pk"),
            average_results=Avg("result_count"),
            articles_opened=Count("pk", filter=Q(article_opened_at__isnull=False)),
            tickets_filed=Count("pk", filter=Q(ticket_filed_at__isnull=False)),
            last_searched=Max("created_at"),
        )
        .order_by("-searches", "normalized_query")[:limit]
    )


def search_zero_result_queries(*, since: datetime | None = None, limit: int = 25) -> list[dict]:
    """Content gaps: queries that found nothing, most frequent first."""
    return list(
        _recent(since)
        .filter(result_count=0)
        .values("normalized_query")
        .annotate(
            searches=Count("pk"),
            tickets_filed=Count("pk", filter=Q(ticket_filed_at__isnull=False)),
            last_searched=Max("created_at"),
        )
        .order_by("-searches", "normalized_query")[:limit]
    )


def search_summary(*, since: datetime | None = None) -> dict:
    totals = _recent(since).aggregate(
        searches=Count("pk"),
        zero_results=Count("pk", filter=Q(result_count=0)),
        articles_opened=Count("pk", filter=Q(article_opened_at__isnull=False)),
        tickets_filed=Count("pk", filter=Q(ticket_filed_at__isnull=False)),
    )
    searches = totals["searches"] or 0

    def share(n: int) -> float | None:
        return round(100 * n / searches, 1) if searches else None

    totals.update(
        zero_result_rate=share(totals["zero_results"]),
        article_open_rate=share(totals["articles_opened"]),
        ticket_rate=share(totals["tickets_filed"]),
    )
    return totals


def article_link_candidates(user, query: str, *, limit: int = 10):
    """Articles an editor may link to, by title (or slug) containing `query`; published ones
    first. Staff only: the editor's internal-link picker."""
    if not is_kb_staff(user):
        return Article.objects.none()
    qs = Article.objects.exclude(status="ARCHIVED")
    query = " ".join((query or "").split())[:100]
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    return qs.only("id", "title", "slug", "status", "visibility").order_by(
        Case(When(status="PUBLISHED", then=0), default=1), "title"
    )[:limit]


def article_feedback_comments(*, since, limit: int = 50):
    """What readers said was missing ("No" votes with a comment), newest first."""
    return (
        ArticleFeedback.objects.filter(helpful=False, updated_at__gte=since)
        .exclude(comment="")
        .select_related("article")
        .only("comment", "updated_at", "article__title", "article__slug", "article__id")
        .order_by("-updated_at")[:limit]
    )


def search_by_language(*, since: datetime | None = None) -> list[dict]:
    """Searches per language searched in: how many, how many found nothing, and what
    followed (most searched first)."""
    rows = (
        _recent(since)
        .values("language")
        .annotate(
            searches=Count("pk"),
            zero_results=Count("pk", filter=Q(result_count=0)),
            articles_opened=Count("pk", filter=Q(article_opened_at__isnull=False)),
            tickets_filed=Count("pk", filter=Q(ticket_filed_at__isnull=False)),
        )
        .order_by("-searches", "language")
    )
    result = []
    for row in rows:
        searches = row["searches"]
        row["zero_result_rate"] = round(100 * row["zero_results"] / searches, 1)
        result.append(row)
    return result


def articles_missing_translations(*, languages: list[str] | None = None) -> list[dict]:
    """Editors' to-do list: each source article (not archived) that lacks a translation in
    one of the offered `languages`, with the languages it lacks and those it has.

    Two queries whatever the number of articles: the sources, then their groups' languages.
    """
    languages = languages or offered_languages()
    sources = list(
        Article.objects.filter(translation_of__isnull=True)
        .exclude(status="ARCHIVED")
        .only("id", "title", "slug", "language", "status")
        .order_by("title")
    )
    present: dict = {}
    rows = Article.objects.filter(translation_of__in=[a.pk for a in sources]).values_list(
        "translation_of_id", "language"
    )
    for group, language in rows:
        present.setdefault(group, set()).add(language)
    missing = []
    for article in sources:
        have = present.get(article.pk, set()) | {article.language}
        lacking = [code for code in languages if code not in have]
        if lacking:
            missing.append({"article": article, "missing": lacking, "present": sorted(have)})
    return missing
