"""Chainable reads. `ArticleQuerySet.visible_to` is THE visibility rule for articles: the API,
the pages, search, suggestions and feedback all go through it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce


def kb_open_to_anonymous() -> bool:
    """Anonymous visitors may read PUBLIC articles unless the settings close the KB."""
    return bool(settings.KB_PUBLIC_ACCESS) and not settings.KB_REQUIRE_AUTH


def is_kb_staff(user) -> bool:
    """Helpdesk staff (admins, supervisors, agents) write the knowledge base."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.is_helpdesk_staff
    )


def visibilities_for(user) -> tuple[str, ...]:
    """The article visibilities `user` (None or anonymous included) may read."""
    from knowledgebase.models import Visibility

    if user is not None and user.is_authenticated:
        if not user.is_active:
            return ()
        if user.is_helpdesk_staff:
            return (Visibility.PUBLIC, Visibility.CUSTOMERS, Visibility.INTERNAL)
        return (Visibility.PUBLIC, Visibility.CUSTOMERS)
    return (Visibility.PUBLIC,) if kb_open_to_anonymous() else ()


class ArticleQuerySet(models.QuerySet):
    def published(self):
        from knowledgebase.models import Status

        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """Published articles `user` may read.

        Staff read every visibility; signed-in customers PUBLIC and CUSTOMERS; anonymous
        visitors PUBLIC only, and only when KB_PUBLIC_ACCESS is on and KB_REQUIRE_AUTH off.
        INTERNAL articles reach staff only, wherever they are listed, searched or suggested.
        """
        allowed = visibilities_for(user)
        if not allowed:
            return self.none()
        qs = self.published()
        if len(allowed) < 3:
            qs = qs.filter(visibility__in=allowed)
        return qs

    def manageable_by(self, user):
        """Every article, in any status, for staff (who write the KB); nothing for others."""
        return self if is_kb_staff(user) else self.none()


class CategoryQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_visible_counts(self, user):
        """Annotate `article_count`: articles of the category `user` may read."""
        from knowledgebase.models import Article

        visible = Article.objects.visible_to(user)
        counts = (
            visible.filter(category=models.OuterRef("pk"))
            .order_by()
            .values("category")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            article_count=Coalesce(models.Subquery(counts, output_field=models.IntegerField()), 0)
        )
