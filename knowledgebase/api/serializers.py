"""Shapes only: business rules live in knowledgebase.services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from knowledgebase.models import Article, Category, Status, Visibility
from knowledgebase.querysets import is_kb_staff
from knowledgebase.services.articles import MAX_BODY, MAX_EXCERPT, MAX_TAGS
from panel1.api import fields
from panel1.content_language import MAX_CODE_LENGTH, language_error, normalize_language


class AuthorSerializer(serializers.Serializer):
    # No email address: articles are read by anonymous visitors too.
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class TranslationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)


def _language_field(**kwargs):
    return serializers.CharField(max_length=MAX_CODE_LENGTH, validators=[_check_language], **kwargs)


def _check_language(value: str) -> None:
    if normalize_language(value) != value.strip().lower():
        raise serializers.ValidationError(language_error(value))


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    author = AuthorSerializer(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    translation_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    translations = serializers.SerializerMethodField(
        help_text="The other articles of its translation group the caller may read."
    )
    fallback = serializers.SerializerMethodField(
        help_text="True when the article is the default-language one, shown because the "
        "group has none in the language asked for (`lang`)."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "excerpt",
            "category",
            "tags",
            "status",
            "visibility",
            "author",
            "published_at",
            "updated_at",
            "view_count",
            "helpful_count",
            "not_helpful_count",
            "url",
            "language",
            "translation_of",
            "translations",
            "fallback",
        ]
        read_only_fields = fields

    @extend_schema_field(TranslationSerializer(many=True))
    def get_translations(self, article) -> list[dict]:
        rows = getattr(article, "translation_list", [])
        return TranslationSerializer(rows, many=True).data

    def get_fallback(self, article) -> bool:
        return bool(getattr(article, "is_fallback", getattr(article, "fallback", False)))

    def get_url(self, article) -> str:
        path = reverse("kb:detail", kwargs={"slug": article.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ArticleSearchResultSerializer(ArticleSerializer):
    # Output only, but not `read_only`: that would make them required in the schema, and a
    # page without `search` has neither.
    rank = serializers.FloatField(required=False, help_text=_("Only with `search`."))
    highlight = serializers.CharField(
        required=False,
        help_text=_("Only with `search`. HTML: escaped text, matches wrapped in <mark>."),
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "rank", "highlight"]
        read_only_fields = ArticleSerializer.Meta.fields


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.CharField(read_only=True)
    # Staff only: absent for everyone else, so not a required property in the schema (a
    # read-only field would be declared required). This serializer only writes answers.
    body = serializers.CharField(required=False, help_text=_("Markdown source (staff only)."))
    revision = serializers.SerializerMethodField()

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body_html", "body", "revision", "created_at"]
        read_only_fields = fields

    def get_revision(self, article) -> int | None:
        revision = article.current_revision
        return revision.number if revision else None

    def to_representation(self, article):
        data = super().to_representation(article)
        request = self.context.get("request")
        if request is None or not is_kb_staff(request.user):
            data.pop("body", None)
        return data


class ArticleWriteSerializer(serializers.Serializer):
    title = fields.OneLineField(max_length=255)
    slug = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body = serializers.CharField(
        max_length=MAX_BODY, required=False, allow_blank=True, trim_whitespace=False
    )
    excerpt = serializers.CharField(max_length=MAX_EXCERPT, required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=fields.OneLineField(max_length=50), required=False, max_length=MAX_TAGS
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class ArticleCreateSerializer(ArticleWriteSerializer):
    language = _language_field(
        required=False, help_text="A `LANGUAGES` code; default: the tenant's default language."
    )
    translation_of = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(),
        required=False,
        allow_null=True,
        help_text="The article this one translates (one article per language and group).",
    )


class TranslateSerializer(serializers.Serializer):
    language = _language_field(help_text="The language of the new draft translation.")


class FeedbackSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000,
        help_text=_("What was missing (with helpful=false)."),
    )  # fmt: skip


class SuggestQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=10_000, allow_blank=True, trim_whitespace=True,
        help_text=_("A ticket's subject and text (only the first 2,000 characters count)."),
    )  # fmt: skip
    lang = _language_field(
        required=False, help_text="Suggest in this language (default: the request's)."
    )


class ArticleListQuerySerializer(serializers.Serializer):
    category = serializers.UUIDField(required=False)
    search = serializers.CharField(required=False, allow_blank=True, max_length=255)
    lang = _language_field(
        required=False,
        help_text="A `LANGUAGES` code: articles in it, and the default-language article (with "
        "`fallback`) where a group has none in it. Default: the request's language.",
    )


class ArticleDetailQuerySerializer(serializers.Serializer):
    lang = _language_field(
        required=False,
        help_text="Answer the article's translation in this language (or the default-language "
        "one, with `fallback`). Default: the article at the slug.",
    )


class SuggestionsSerializer(serializers.Serializer):
    results = ArticleSerializer(many=True)


@extend_schema_serializer(many=False)  # already the whole page: never wrapped in pagination
class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(required=False, help_text=_("Absent on `?cursor=` pages."))
    # The search-only fields are absent from a plain (no `search`) page.
    count_exact = serializers.BooleanField(
        required=False,
        help_text=_("False when more articles match than were ranked (`count` is a lower bound)."),
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ArticleSearchResultSerializer(many=True)
    did_you_mean = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("A spelling-corrected query that finds more, or ''."),
    )
    corrected = serializers.BooleanField(
        required=False,
        help_text=_(
            "True when the query as typed found nothing and `results` are for `did_you_mean`."
        ),
    )
    search_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("Pass as `search_id` when opening a result (search analytics)."),
    )
