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

    def for_reader(self, user, *, language: str, default: str):
        """What a reader of `language` is shown: the articles in `language` they may read,
        and the `default`-language articles whose group has no such translation (the
        fallback; `fallback_languages` below)."""
        visible = self.visible_to(user)
        if language == default:
            return visible.filter(language=language)
        translated = translated_into(user, language)
        fallback = models.Q(language=default) & ~translated
        return visible.filter(models.Q(language=language) | fallback)

    def manageable_by(self, user):
        """Every article, in any status, for staff (who write the KB); nothing for others."""
        return self if is_kb_staff(user) else self.none()


def translated_into(user, language: str) -> models.Exists:
    """True for an article whose translation group has an article in `language` that `user`
    may read. A group is a source article and the articles whose `translation_of` it is."""
    from knowledgebase.models import Article

    outer = models.OuterRef
    same_group = (
        models.Q(translation_of=outer("pk"))
        | models.Q(pk=outer("translation_of"))
        | models.Q(translation_of=outer("translation_of"))  # NULL = NULL is no match
    )
    return models.Exists(
        Article.objects.visible_to(user).filter(same_group, language=language).order_by()
    )


class CategoryQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_visible_counts(self, user, *, language: str | None = None, default: str = ""):
        """Annotate `article_count`: articles of the category `user` may read (with
        `language`, what a reader of it is shown: `ArticleQuerySet.for_reader`)."""
        from knowledgebase.models import Article

        if language:
            visible = Article.objects.for_reader(user, language=language, default=default)
        else:
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
