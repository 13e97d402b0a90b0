"""The portal's view of the knowledge base, guarded: the portal works without the KB app.

Everything here answers "nothing" when `knowledgebase.models` (or a piece this module uses)
is missing, so the portal renders its home page and ticket form either way. Visibility comes
from the KB's own rule (`Article.objects.visible_to`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

SEARCH_PATH = "/kb/search/"


@dataclass(frozen=True)
class ArticleLink:
    title: str
    url: str
    excerpt: str = ""


@dataclass(frozen=True)
class CategoryLink:
    name: str
    url: str
    description: str = ""
    count: int = 0


def _models() -> ModuleType | None:
    try:
        from knowledgebase import models
    except ImportError:
        return None
    if not hasattr(models, "Article") or not hasattr(models.Article.objects, "visible_to"):
        return None
    return models


def available() -> bool:
    return _models() is not None


def _selectors() -> ModuleType | None:
    try:
        from knowledgebase import selectors
    except ImportError:
        return None
    return selectors


def _reverse(names: tuple[str, ...], args: list, fallback: str) -> str:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return fallback


def article_url(article) -> str:
    return _reverse(("kb:detail",), [article.slug], f"/kb/{article.slug}/")


def category_url(category) -> str:
    return _reverse(("kb:detail",), [category.slug], f"/kb/{category.slug}/")


def search_url() -> str:
    return _reverse(("kb:search",), [], SEARCH_PATH)


def popular_articles(user, *, limit: int = 6) -> list[ArticleLink]:
    """The most viewed articles `user` may read."""
    models = _models()
    if models is None:
        return []
    popular = getattr(_selectors(), "article_popular_for", None)
    if popular is not None:
        articles = popular(user, limit=limit)
    else:
        articles = models.Article.objects.visible_to(user).order_by("-view_count", "-published_at")[
            :limit
        ]
    return [ArticleLink(title=a.title, url=article_url(a), excerpt=a.excerpt) for a in articles]


def categories(user) -> list[CategoryLink]:
    """Top-level KB categories holding articles `user` may read (sub-categories counted in)."""
    if _models() is None:
        return []
    tree = getattr(_selectors(), "category_tree_for", None)
    if tree is None:
        return []
    return [
        CategoryLink(
            name=c.name,
            url=category_url(c),
            description=c.description,
            count=getattr(c, "total_count", getattr(c, "article_count", 0)),
        )
        for c in tree(user)
    ]


def suggestion_opened(
    *, user, session_key: str, slug: str, query: str, search_id: str = "", result_count: int = 0
) -> bool:
    """Record that the customer opened a suggested article from the new-ticket form.

    In the KB's search analytics a search whose searcher opened an article and filed no ticket
    is a deflection; filing a ticket later is attributed by the KB itself (`ticket.created`).
    When the suggestions came without a search id, the portal records the search first.
    Answers whether anything was recorded.
    """
    models = _models()
    try:
        from knowledgebase import services as kb_services
    except ImportError:
        return False
    record_outcome = getattr(kb_services, "kb_search_outcome_record", None)
    record_search = getattr(kb_services, "kb_search_record", None)
    if models is None or record_outcome is None:
        return False
    article = models.Article.objects.visible_to(user).filter(slug=slug).first()
    if article is None:
        return False
    record_model = getattr(models, "SearchRecord", None)
    if search_id and record_model is not None:
        # The id comes back from the browser: only the customer's own search counts.
        try:
            if not record_model.objects.filter(pk=search_id, user=user).exists():
                search_id = ""
        except (ValueError, ValidationError):
            search_id = ""
    if not search_id:
        if record_search is None or not query.strip():
            return False
        search_id = record_search(
            query=query[:255],
            result_count=max(0, min(result_count, 50)),
            source=getattr(getattr(models, "SearchSource", None), "PORTAL", "PORTAL"),
            user=user,
            session_key=session_key,
        ).pk
    outcome = getattr(getattr(models, "SearchOutcome", None), "ARTICLE_OPENED", "ARTICLE_OPENED")
    return record_outcome(search_id=search_id, outcome=outcome, article=article)
