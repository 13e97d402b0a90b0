"""Write articles: create, edit (a revision per content change), publish, restore revisions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from knowledgebase.models import Article, ArticleRevision, Category, Status, Visibility
from knowledgebase.rendering import make_excerpt, render_plaintext
from knowledgebase.search import search_config_for, vocabulary_refresh_soon
from knowledgebase.services.images import kb_images_claim
from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.content_language import default_language, language_error, normalize_language
from panel1.events import bus, names
from panel1.exceptions import DomainError, PermissionDenied
from panel1.markdown import render_markdown


class _Unset:
    def __repr__(self):
        return "UNSET"


UNSET: Any = _Unset()

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths under /kb/ that are pages, not categories or articles.
RESERVED_SLUGS = frozenset({"search", "suggest", "insights", "feedback", "api", "static", "new"})
MAX_TITLE = 255
MAX_SLUG = 200
MAX_BODY = 200_000
MAX_EXCERPT = 500
MAX_TAGS = 20
AUTO_EXCERPT_LENGTH = 200


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can write knowledge-base articles."))


def normalize_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise DomainError({"tags": [_("Tags must be strings.")]})
        tag = " ".join(tag.strip().lower().split())
        if len(tag) > 50:
            raise DomainError(
                {
                    "tags": [
                        _("Tag %(tag)s... is longer than 50 characters.") % {"tag": repr(tag[:20])}
                    ]
                }
            )
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise DomainError(
            {"tags": [_("At most %(max_tags)s tags per article.") % {"max_tags": MAX_TAGS}]}
        )
    return cleaned


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError({"title": [_("A title is required.")]})
    if len(title) > MAX_TITLE:
        raise DomainError(
            {"title": [_("Use at most %(max_title)s characters.") % {"max_title": MAX_TITLE}]}
        )
    return title


def _check_choices(status: str, visibility: str) -> None:
    if status not in Status.values:
        raise DomainError(
            {"status": [_("%(status)s is not a valid status.") % {"status": repr(status)}]}
        )
    if visibility not in Visibility.values:
        raise DomainError(
            {
                "visibility": [
                    _("%(visibility)s is not a valid visibility.")
                    % {"visibility": repr(visibility)}
                ]
            }
        )


def _check_body(body: str) -> str:
    body = body or ""
    if len(body) > MAX_BODY:
        raise DomainError(
            {"body": [_("Use at most %(max_body)s characters.") % {"max_body": MAX_BODY}]}
        )
    return body


def _check_excerpt(excerpt: str) -> str:
    excerpt = " ".join((excerpt or "").split())
    if len(excerpt) > MAX_EXCERPT:
        raise DomainError(
            {
                "excerpt": [
                    _("Use at most %(max_excerpt)s characters.") % {"max_excerpt": MAX_EXCERPT}
                ]
            }
        )
    return excerpt


def check_language(language: str | None) -> str:
    """`language` as a shipped code (empty: the tenant default); DomainError otherwise."""
    if language is None or language == "":
        return default_language()
    code = normalize_language(language)
    if code is None or code != str(language).strip().lower().replace("_", "-"):
        raise DomainError({"language": [language_error(language)]})
    return code


def _translation_source(article: Article | None) -> Article | None:
    """The group's source: a translation of a translation translates the source."""
    if article is None or article.translation_of_id is None:
        return article
    return Article.objects.get(pk=article.translation_of_id)


def _check_new_translation(source: Article | None, language: str) -> None:
    if source is None:
        return
    if Article.objects.filter(_in_group(source.pk), language=language).exists():
        raise DomainError({"language": [_duplicate_message(language)]})


def _in_group(group_id) -> Q:
    return Q(pk=group_id) | Q(translation_of_id=group_id)


def _duplicate_message(language: str) -> str:
    from panel1.content_language import language_name

    return f"This article already has a translation in {language_name(language)} ({language})."


def slug_is_taken(slug: str, *, article: Article | None = None) -> bool:
    """Articles and categories share /kb/<slug>/, so a slug names one of them at most."""
    if slug in RESERVED_SLUGS or Category.objects.filter(slug=slug).exists():
        return True
    others = Article.objects.filter(slug=slug)
    if article is not None:
        others = others.exclude(pk=article.pk)
    return others.exists()


def _check_slug(slug: str, *, article: Article | None) -> str:
    slug = (slug or "").strip().lower()
    if len(slug) > MAX_SLUG or not SLUG_RE.match(slug):
        raise DomainError(
            {"slug": [_("Use lowercase letters, digits and single hyphens (at most 200).")]}
        )
    if slug_is_taken(slug, article=article):
        raise DomainError(
            {"slug": [_("The address %(slug)s is already in use.") % {"slug": repr(slug)}]}
        )
    return slug


def unique_slug(title: str, *, article: Article | None = None) -> str:
    base = slugify(title)[: MAX_SLUG - 6].strip("-") or "article"
    slug, n = base, 1
    while slug_is_taken(slug, article=article):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _apply_content(article: Article, *, title: str, body: str) -> None:
    """Render the body once; the article keeps the HTML and text of its current revision."""
    article.title = title
    article.body = body
    article.body_html = render_markdown(body)
    article.body_text = render_plaintext(body)
    if article.excerpt_is_auto:
        article.excerpt = make_excerpt(body, AUTO_EXCERPT_LENGTH) if body.strip() else ""


def _revision_add(article: Article, *, editor: User | None, note: str = "") -> ArticleRevision:
    last = article.revisions.aggregate(n=Max("number"))["n"] or 0
    revision = ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        body_html=article.body_html,
        body_text=article.body_text,
        editor=editor,
        note=note[:255],
    )
    article.current_revision = revision
    return revision


def _emit_published(article: Article, actor: Actor, changes: dict) -> None:
    bus.emit(
        names.KB_ARTICLE_PUBLISHED,
        payload={
            "article_id": str(article.pk),
            "slug": article.slug,
            "title": article.title,
            "visibility": article.visibility,
            "changes": changes,
        },
        actor=actor.event_actor,
        chain=actor.chain,
    )


def _after_content_change() -> None:
    # The typo vocabulary follows the published content; it is rebuilt off the request.
    transaction.on_commit(vocabulary_refresh_soon)


@transaction.atomic
def kb_article_create(
    *,
    actor: User | Actor,
    title: str,
    body: str = "",
    excerpt: str = "",
    slug: str = "",
    category: Category | None = None,
    tags: Iterable[str] = (),
    status: str = Status.DRAFT,
    visibility: str = Visibility.PUBLIC,
    author: User | None = None,
    language: str = "",
    translation_of: Article | None = None,
) -> Article:
    """Create an article with its first revision; emit `kb.article.published` if published.

    `language` defaults to the tenant's; with `translation_of` the article joins that
    article's translation group (one article per language: a second one is refused, also
    when two requests race, by the group's unique index).
    """
    actor = Actor.of(actor)
    _require_staff(actor)
    title = _clean_title(title)
    _check_choices(status, visibility)
    language = check_language(language)
    source = _translation_source(translation_of)
    _check_new_translation(source, language)
    article = Article(
        language=language,
        translation_of=source,
        category=category,
        excerpt=_check_excerpt(excerpt),
        excerpt_is_auto=not (excerpt or "").strip(),
        tags=normalize_tags(tags),
        author=author or actor.user,
        status=status,
        visibility=visibility,
        search_config=search_config_for(language),
    )
    article.slug = _check_slug(slug, article=None) if slug else unique_slug(title)
    article.tags_text = " ".join(article.tags)
    _apply_content(article, title=title, body=_check_body(body))
    if status == Status.PUBLISHED:
        article.published_at = timezone.now()
    _insert(article)
    _revision_add(article, editor=actor.user, note="Created")
    article.save(update_fields=["current_revision"])
    kb_images_claim(article=article)
    if status == Status.PUBLISHED:
        _emit_published(article, actor, {"status": [None, Status.PUBLISHED]})
        _after_content_change()
    return article


@transaction.atomic
def kb_article_update(
    *,
    article: Article,
    actor: User | Actor,
    title: str = UNSET,
    body: str = UNSET,
    excerpt: str = UNSET,
    slug: str = UNSET,
    category: Category | None = UNSET,
    tags: Iterable[str] = UNSET,
    status: str = UNSET,
    visibility: str = UNSET,
    note: str = "",
) -> Article:
    """Change an article. A new title or body becomes a new revision (rendered once); a change
    into PUBLISHED sets `published_at` the first time and emits `kb.article.published`.

    The article row is locked, so concurrent edits get consecutive revision numbers.
    """
    actor = Actor.of(actor)
    _require_staff(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    changes = _apply_properties(
        article,
        slug=slug,
        category=category,
        tags=tags,
        excerpt=excerpt,
        status=status,
        visibility=visibility,
    )
    content_changed = _apply_text(article, changes, title=title, body=body)
    if not changes:
        return article
    publishing = "status" in changes and article.status == Status.PUBLISHED
    if publishing and article.published_at is None:
        article.published_at = timezone.now()
    article.search_config = search_config_for(article.language)
    article.save()
    if content_changed:
        _revision_add(article, editor=actor.user, note=note or "Edited")
        article.save(update_fields=["current_revision"])
        kb_images_claim(article=article)
    if publishing:
        _emit_published(article, actor, _jsonable(changes))
    if "status" in changes or article.status == Status.PUBLISHED:
        _after_content_change()
    return article


def _apply_properties(article: Article, **values) -> dict[str, list]:
    """Set the given (not UNSET) properties; answer {field: [before, after]} of real changes."""
    values = {name: value for name, value in values.items() if value is not UNSET}
    _check_choices(
        values.get("status", article.status), values.get("visibility", article.visibility)
    )
    if "slug" in values:
        values["slug"] = _check_slug(values["slug"], article=article)
    if "tags" in values:
        values["tags"] = normalize_tags(values["tags"])
        article.tags_text = " ".join(values["tags"])
    if "excerpt" in values:
        written = _check_excerpt(values.pop("excerpt"))
        if article.excerpt_is_auto != (not written):
            values["excerpt_is_auto"] = not written
        if written:
            values["excerpt"] = written
    changes = {}
    for name, value in values.items():
        before = getattr(article, name)
        if value != before:
            changes[name] = [before, value]
            setattr(article, name, value)
    return changes


def _apply_text(article: Article, changes: dict, *, title: str, body: str) -> bool:
    """Apply a new title or body (rendering it once); answer whether either changed. An
    excerpt that just became automatic is derived again too."""
    new_title = article.title if title is UNSET else _clean_title(title)
    new_body = article.body if body is UNSET else _check_body(body)
    changed = new_title != article.title or new_body != article.body
    became_auto = changes.get("excerpt_is_auto", [None, False])[1]
    if changed or became_auto:
        old_excerpt = article.excerpt
        if changed:
            changes.update(_content_changes(article, new_title, new_body))
        _apply_content(article, title=new_title, body=new_body)
        if article.excerpt != old_excerpt:
            changes.setdefault("excerpt", [old_excerpt, article.excerpt])
    return changed


def _content_changes(article: Article, title: str, body: str) -> dict[str, list]:
    changes: dict[str, list] = {}
    if title != article.title:
        changes["title"] = [article.title, title]
    if body != article.body:
        changes["body"] = ["…", "…"]  # bodies live in the revisions, not in event payloads
    return changes


def _jsonable(changes: dict[str, list]) -> dict[str, list]:
    def value(v):
        if v is None or isinstance(v, bool | int | float | str | list):
            return v
        return str(getattr(v, "pk", v))

    return {key: [value(before), value(after)] for key, (before, after) in changes.items()}


@transaction.atomic
def kb_article_revision_restore(*, revision: ArticleRevision, actor: User | Actor) -> Article:
    """Make `revision`'s title and body current again, as a new revision.

    History stays linear: nothing is deleted, and the HTML rendered for the old revision is
    reused as it is.
    """
    actor = Actor.of(actor)
    _require_staff(actor)
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    article.title = revision.title
    article.body = revision.body
    article.body_html = revision.body_html
    article.body_text = revision.body_text
    if article.excerpt_is_auto:
        article.excerpt = (
            make_excerpt(revision.body, AUTO_EXCERPT_LENGTH) if revision.body.strip() else ""
        )
    article.search_config = search_config_for(article.language)
    article.save()
    _revision_add(article, editor=actor.user, note=f"Restored revision {revision.number}")
    article.save(update_fields=["current_revision"])
    if article.status == Status.PUBLISHED:
        _after_content_change()
    return article


def kb_search_config_sync() -> int:
    """Re-index articles stamped with another text search configuration than their
    language's (the tenant's own for its default language; see `search_config_for`).

    Updating `search_config` regenerates both stored vectors. Answer how many changed.
    """
    changed = 0
    languages = Article.objects.order_by().values_list("language", flat=True).distinct()
    for language in list(languages):
        config = search_config_for(language)
        stale = Article.objects.filter(language=language).exclude(search_config=config)
        changed += stale.order_by().update(search_config=config)
    if changed:
        vocabulary_refresh_soon()
    return changed


def _insert(article: Article) -> None:
    """Save a new article; a translation that lost a race for its language is refused."""
    try:
        with transaction.atomic():
            article.save(force_insert=True)
    except IntegrityError as exc:
        # A concurrent writer committed first: the same language of the group, or the slug
        # (PostgreSQL reports whichever unique index it checked first).
        group = article.translation_of_id
        if group and Article.objects.filter(_in_group(group), language=article.language).exists():
            raise DomainError({"language": [_duplicate_message(article.language)]}) from exc
        if slug_is_taken(article.slug):
            taken = f"The address {article.slug!r} is already in use."
            raise DomainError({"slug": [taken]}) from exc
        raise


def translation_in(article: Article, language: str) -> Article | None:
    """The article of `article`'s group in `language` (any status), or None."""
    return Article.objects.filter(_in_group(article.group_id), language=language).order_by().first()


@transaction.atomic
def kb_article_translate(
    *, article: Article, language: str, actor: User | Actor, existing_ok: bool = False
) -> Article:
    """Start a translation of `article` into `language`: a DRAFT in the same group, with the
    source's title, body, category, tags and visibility to translate from.

    A group has one article per language: when one exists already (or a concurrent call
    creates it first) answer it with `existing_ok`, else refuse with a `language` error.
    """
    actor = Actor.of(actor)
    _require_staff(actor)
    language = check_language(language)
    source = _translation_source(article)
    existing = translation_in(source, language)
    if existing is None:
        try:
            with transaction.atomic():
                return kb_article_create(
                    actor=actor,
                    title=source.title,
                    body=source.body,
                    excerpt="" if source.excerpt_is_auto else source.excerpt,
                    slug=unique_slug(f"{source.slug}-{language}"),
                    category=source.category,
                    tags=source.tags,
                    status=Status.DRAFT,
                    visibility=source.visibility,
                    language=language,
                    translation_of=source,
                )
        except DomainError:
            existing = translation_in(source, language)
            if existing is None:
                raise
    if not existing_ok:
        raise DomainError({"language": [_duplicate_message(language)]})
    return existing
