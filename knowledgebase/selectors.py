"""Reads shared by the API, the pages and the admin."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Avg, Case, Count, Max, Prefetch, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledgebase.models import Article, ArticleFeedback, ArticleImage, Category, SearchRecord
from knowledgebase.querysets import is_kb_staff
from knowledgebase.search import articles_for_list
from panel1.exceptions import NotFound


def article_get_for(user, slug: str) -> Article:
    """The article at `slug` if `user` may read it. Staff also get drafts and archived
    articles (to preview and edit them); everyone else only what `visible_to` allows."""
    qs = Article.objects.all() if is_kb_staff(user) else Article.objects.visible_to(user)
    article = qs.select_related("category", "author").filter(slug=slug).first()
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
        raise NotFound({"detail": ["Not found."]})
    return image


def article_list_for(user, *, category: Category | None = None):
    """Published articles `user` may read, newest first, with only the fields lists show."""
    qs = Article.objects.visible_to(user)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    return articles_for_list(qs).order_by("-published_at", "-pk")


def article_popular_for(user, *, limit: int = 6):
    return articles_for_list(Article.objects.visible_to(user)).order_by(
        "-view_count", "-published_at"
    )[:limit]


def category_tree_for(user) -> list[Category]:
    """Top-level categories with their sub-categories, each with `article_count` (articles
    `user` may read, sub-categories included in their parent's), empty ones left out."""
    children = Category.objects.with_visible_counts(user)
    top = list(
        Category.objects.top_level()
        .with_visible_counts(user)
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
