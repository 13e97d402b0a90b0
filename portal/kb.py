"""The portal's view of the knowledge base: links the home page shows, read through the KB's
own selectors (which apply its visibility rule)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from knowledgebase.models import Article, Category
from knowledgebase.selectors import article_popular_for, category_tree_for


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


def kb_detail_url(item: Article | Category) -> str:
    """Articles and categories share the KB's one detail URL (by slug)."""
    return reverse("kb:detail", args=[item.slug])


def kb_search_url() -> str:
    return reverse("kb:search")


def popular_articles(user, *, limit: int = 6) -> list[ArticleLink]:
    """The most viewed articles `user` may read."""
    return [
        ArticleLink(title=a.title, url=kb_detail_url(a), excerpt=a.excerpt)
        for a in article_popular_for(user, limit=limit)
    ]


def categories(user) -> list[CategoryLink]:
    """Top-level KB categories holding articles `user` may read (sub-categories counted in)."""
    return [
        CategoryLink(
            name=c.name, url=kb_detail_url(c), description=c.description, count=c.total_count
        )
        for c in category_tree_for(user)
    ]
