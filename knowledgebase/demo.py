"""`seed_demo` step: the demo company's help center, some searches, votes and views."""

from __future__ import annotations

from knowledgebase import services
from knowledgebase.demo_content import ARTICLES, CATEGORIES, DEMO_ENGAGEMENT, DEMO_SEARCHES
from knowledgebase.models import Article, Category, SearchSource


def demo_articles_create(*, tenant, people) -> bool:
    """Add the demo articles once (a tenant that has any article is left alone)."""
    if Article.objects.exists():
        return False
    staff = [p for p in people.values() if p.is_helpdesk_staff]
    author = people.get("admin@demo.test") or staff[0]
    categories: dict[str, Category] = {}
    for slug, name, description, parent, position in CATEGORIES:
        categories[slug] = services.kb_category_create(
            actor=author,
            name=name,
            slug=slug,
            description=description,
            parent=categories.get(parent) if parent else None,
            position=position,
        )
    writers = staff or [author]
    for n, (title, category, tags, visibility, status, body) in enumerate(ARTICLES):
        services.kb_article_create(
            actor=writers[n % len(writers)],
            title=title,
            body=body,
            category=categories[category],
            tags=tags,
            visibility=visibility,
            status=status,
        )
    _engagement(people)
    return True


def _engagement(people) -> None:
    customers = [p for p in people.values() if p.is_customer]
    for slug, views, votes in DEMO_ENGAGEMENT:
        article = Article.objects.get(slug=slug)
        services.kb_article_views_add(counts={str(article.pk): views})
        for voter, helpful in zip(customers, votes, strict=False):
            services.kb_article_feedback_submit(article=article, helpful=helpful, user=voter)
    for email, query in DEMO_SEARCHES:
        services.kb_search_run(
            user=people.get(email) if email else None,
            query=query,
            source=SearchSource.PORTAL if email else SearchSource.PAGE,
            limit=5,
        )
