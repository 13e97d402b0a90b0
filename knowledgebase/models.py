"""Knowledge base: categories, articles, revisions, feedback and search analytics."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from knowledgebase.fields import RegConfigField
from knowledgebase.querysets import ArticleQuerySet, CategoryQuerySet
from panel1.content_language import default_language

# Weights: a title hit (A) outranks an excerpt or tag hit (B), which outranks a body hit (C).
# An excerpt derived from the body is body text already: it does not count again as B.
_CONFIG = F("search_config")
_WRITTEN_EXCERPT = Case(
    When(excerpt_is_auto=False, then=F("excerpt")), default=Value(""), output_field=TextField()
)
SEARCH_VECTOR = (
    SearchVector("title", weight="A", config=_CONFIG)
    + SearchVector(_WRITTEN_EXCERPT, "tags_text", weight="B", config=_CONFIG)
    + SearchVector("body_text", weight="C", config=_CONFIG)
)
# Title, excerpt and tags only: a small vector that finds the strong candidates of a frequent
# term cheaply, so ranking never has to read every body that mentions it (see search.py).
SEARCH_HEAD = SearchVector("title", weight="A", config=_CONFIG) + SearchVector(
    _WRITTEN_EXCERPT, "tags_text", weight="B", config=_CONFIG
)


class Status(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    PUBLISHED = "PUBLISHED", _("Published")
    ARCHIVED = "ARCHIVED", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "PUBLIC", _("Public")
    CUSTOMERS = "CUSTOMERS", _("Customers")
    INTERNAL = "INTERNAL", _("Internal (staff only)")


class Category(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("One level only: a category with a parent cannot have children."),
    )
    position = models.PositiveIntegerField(default=0, help_text=_("Lower comes first."))
    icon = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("KB category")
        verbose_name_plural = _("KB categories")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="kb_category_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class Article(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=255)
    # One schema per tenant, so a unique slug is unique per tenant.
    slug = models.SlugField(max_length=200, unique=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    body = models.TextField(blank=True, help_text=_("Markdown"))
    excerpt = models.CharField(max_length=500, blank=True)
    # True while the excerpt is derived from the body (re-derived when the body changes).
    excerpt_is_auto = models.BooleanField(default=True, editable=False)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_articles",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    published_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveBigIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived by the services from `body` and `tags` (never edited directly): the HTML of the
    # current revision, its plain text (what search indexes and highlights) and the tags as
    # text (a generated column cannot read an array: array_to_string is not immutable).
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    tags_text = models.TextField(blank=True, editable=False)
    current_revision = models.ForeignKey(
        "ArticleRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # A `LANGUAGES` code (validated by the services, not by choices: the list is a setting).
    language = models.CharField(max_length=10, default=default_language)
    # The article this one translates (the group's source; never a translation itself), or
    # None for a source. A group is the source and its translations: one per language.
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="translations",
    )
    # The text search configuration of the article's language when it was indexed (see
    # search.py): german for German, the tenant's configuration for its default language.
    search_config = RegConfigField(default="english", editable=False)
    search_vector = models.GeneratedField(
        expression=SEARCH_VECTOR, output_field=SearchVectorField(), db_persist=True
    )
    search_head = models.GeneratedField(
        expression=SEARCH_HEAD, output_field=SearchVectorField(), db_persist=True
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            GinIndex(fields=["search_vector"], name="kb_article_search_gin"),
            GinIndex(fields=["search_head"], name="kb_article_head_gin"),
            models.Index(fields=["category", "status"], name="kb_article_category_idx"),
            models.Index(fields=["status", "-published_at"], name="kb_article_published_idx"),
            models.Index(fields=["language", "status"], name="kb_article_language_idx"),
        ]
        constraints = [
            # One article per language in a translation group (the source and its
            # translations); two editors pressing "Translate" at once get one translation.
            models.UniqueConstraint(
                Coalesce("translation_of", "id"), "language", name="kb_article_one_per_language"
            ),
            models.CheckConstraint(
                condition=~Q(translation_of=F("id")), name="kb_article_not_own_translation"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def group_id(self):
        """The translation group: the source article's id."""
        return self.translation_of_id or self.pk


class ArticleRevision(models.Model):
    """One saved version of an article's content, with its HTML rendered once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_revisions",
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_number_uniq")
        ]

    def __str__(self):
        return f"{self.article.title} r{self.number}"


def _image_path(image: "ArticleImage", filename: str) -> str:
    # The tenant's storage puts this under tenants/<schema>/; the name is ours, never the
    # uploader's (no path tricks, no guessable names).
    return f"kb/images/{image.created_at:%Y/%m}/{image.pk.hex}{filename[filename.rfind('.') :]}"


class ArticleImage(models.Model):
    """An image uploaded in the article editor, served at /kb/images/<id>/ to KB readers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(upload_to=_image_path, max_length=200)
    content_type = models.CharField(max_length=100)  # sniffed from the bytes
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_images",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name or str(self.pk)


class ArticleFeedback(models.Model):
    """One vote per user (or per session for anonymous readers) and article."""

    id = models.BigAutoField(primary_key=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kb_feedback",
    )
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField()
    # "What was missing?": asked after a "No" vote, cleared when the vote turns to "Yes".
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="kb_feedback_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=Q(user__isnull=True),
                name="kb_feedback_one_per_session",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""),
                name="kb_feedback_has_voter",
            ),
        ]

    def __str__(self):
        return f"{'+' if self.helpful else '-'} {self.article_id}"


class SearchSource(models.TextChoices):
    PAGE = "PAGE", _("KB pages")
    API = "API", _("API")
    PORTAL = "PORTAL", _("Portal")


class SearchOutcome(models.TextChoices):
    ARTICLE_OPENED = "ARTICLE_OPENED", _("Opened an article")
    TICKET_FILED = "TICKET_FILED", _("Filed a ticket")


class SearchRecord(models.Model):
    """One search: what was asked, how many results, and what the searcher did next."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    query = models.CharField(max_length=255)
    # Lower-cased, whitespace-collapsed: what the top-queries report groups by.
    normalized_query = models.CharField(max_length=255, db_index=True)
    result_count = models.PositiveIntegerField()
    corrected_query = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=8, choices=SearchSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_searches",
    )
    session_key = models.CharField(max_length=64, blank=True)
    # The language searched in (the reader's), for the per-language analytics.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    opened_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article_opened_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="kb_search_user_idx"),
        ]

    def __str__(self):
        return f"{self.query!r} ({self.result_count})"

    @property
    def outcome(self) -> str:
        if self.ticket_filed_at:
            return SearchOutcome.TICKET_FILED
        if self.article_opened_at:
            return SearchOutcome.ARTICLE_OPENED
        return ""
