"""Thin views: parse with serializers, act through services, answer with serializers."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledgebase import selectors, services
from knowledgebase.api import serializers as s
from knowledgebase.models import Article, Category, SearchOutcome, SearchSource
from knowledgebase.querysets import is_kb_staff, kb_open_to_anonymous
from knowledgebase.search import article_suggest
from knowledgebase.web import reader_key, session_key_for
from panel1.api.idempotency import idempotent

ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


class KBReaders(BasePermission):
    """Reading (and voting) is open to anonymous callers when the KB settings allow it."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) or kb_open_to_anonymous()


class KBWritersOrReaders(KBReaders):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) == "feedback":
            return super().has_permission(request, view)
        return is_kb_staff(request.user)


def _category_param(value) -> Category | None:
    if value is None:
        return None
    category = Category.objects.filter(pk=value).first()
    if category is None:
        raise ValidationError({"category": [_("Unknown category.")]})
    return category


class ArticleViewSet(viewsets.GenericViewSet):
    permission_classes = [KBWritersOrReaders]
    serializer_class = s.ArticleSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    queryset = Article.objects.none()  # every read goes through the selectors

    @extend_schema(
        summary="List published articles the caller may read, or search them",
        description=(
            "With `search`: ranked full-text search (web syntax: quoted phrases, `-word`, "
            "`or`); results carry `rank` and a `highlight` snippet, and a misspelled query is "
            "corrected (`did_you_mean`, `corrected`). Ranking is bounded: at most 100 title, "
            "excerpt or tag matches, or up to 300 matches in all; `count_exact` is false when "
            "more articles match than were ranked."
        ),
        parameters=[s.ArticleListQuerySerializer],
        responses={200: s.SearchPageSerializer, **ERRORS},
    )
    def list(self, request):
        params = s.ArticleListQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        category = _category_param(params.validated_data.get("category"))
        query = params.validated_data.get("search", "").strip()
        language = params.validated_data.get("lang")
        if query:
            return self._search(request, query, category, language)
        articles = selectors.article_list_for(request.user, category=category, language=language)
        page = self.paginate_queryset(articles)
        selectors.article_translations(request.user, page)
        data = s.ArticleSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def _search(self, request, query: str, category, language):
        paginator = self.paginator
        limit = paginator.get_limit(request)
        offset = paginator.get_offset(request)
        results, record = services.kb_search_run(
            user=request.user,
            query=query,
            source=SearchSource.API,
            category=category,
            limit=limit,
            offset=offset,
            session_key=session_key_for(request, create=False),
            language=language,
        )
        for hit in results.hits:
            hit.article.rank, hit.article.highlight = hit.rank, hit.highlight
            hit.article.is_fallback = hit.article.language != results.language
        selectors.article_translations(request.user, [hit.article for hit in results.hits])
        paginator.count, paginator.limit, paginator.offset = results.total, limit, offset
        paginator.request = request
        return Response(
            {
                "count": results.total,
                "count_exact": results.exact,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": s.ArticleSearchResultSerializer(
                    [hit.article for hit in results.hits], many=True, context={"request": request}
                ).data,
                "did_you_mean": results.did_you_mean,
                "corrected": results.corrected,
                "search_id": str(record.pk) if record else None,
            }
        )

    @extend_schema(
        summary="Get an article with its rendered HTML",
        description="Staff also get drafts and archived articles, and the Markdown `body`. "
        "Pass `search_id` (from a search answer) to record that the search led here. With "
        "`lang`, the answer is the article's translation in that language (or, with "
        "`fallback`, the default-language article when there is none).",
        parameters=[
            s.ArticleDetailQuerySerializer,
            OpenApiParameter("search_id", OpenApiTypes.UUID, required=False),
        ],
        responses={200: s.ArticleDetailSerializer, **ERRORS},
    )
    def retrieve(self, request, slug=None):
        params = s.ArticleDetailQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        article = selectors.article_get_for(request.user, slug)
        language = params.validated_data.get("lang")
        if language and article.is_published:
            article = selectors.article_for_reader(request.user, article, language=language)
        selectors.article_translations(request.user, [article])
        if article.is_published:
            services.kb_article_view_record(article=article, viewer=reader_key(request))
        search_id = request.query_params.get("search_id")
        if search_id:
            services.kb_search_outcome_record(
                search_id=search_id, outcome=SearchOutcome.ARTICLE_OPENED, article=article
            )
        return Response(s.ArticleDetailSerializer(article, context={"request": request}).data)

    @extend_schema(
        summary="Create an article (staff)",
        description="With `translation_of`, the article joins that article's translation "
        "group; a group has one article per language (a second one → 400 on `language`).",
        request=s.ArticleCreateSerializer,
        responses={201: s.ArticleDetailSerializer, **ERRORS},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        data = s.ArticleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.kb_article_create(actor=request.user, **data.validated_data)
        return self._answer(request, article, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an article (staff); a new title or body becomes a new revision",
        request=s.ArticleWriteSerializer,
        responses={200: s.ArticleDetailSerializer, **ERRORS},
    )
    def partial_update(self, request, slug=None):
        article = selectors.article_get_for(request.user, slug)
        data = s.ArticleWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        article = services.kb_article_update(
            article=article, actor=request.user, **data.validated_data
        )
        return self._answer(request, article, status.HTTP_200_OK)

    def _answer(self, request, article, code):
        fresh = selectors.article_get_for(request.user, article.slug)
        selectors.article_translations(request.user, [fresh])
        return Response(s.ArticleDetailSerializer(fresh, context={"request": request}).data, code)

    @extend_schema(
        summary="Start a translation (staff): a draft copy in another language, linked",
        description="The draft joins the article's translation group with the source's title "
        "and body to translate. A language the group already has → 400 on `language`.",
        request=s.TranslateSerializer,
        responses={201: s.ArticleDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def translations(self, request, slug=None):
        return idempotent(request, lambda: self._translate(request, slug))

    def _translate(self, request, slug):
        article = selectors.article_get_for(request.user, slug)
        data = s.TranslateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        translation = services.kb_article_translate(
            article=article, language=data.validated_data["language"], actor=request.user
        )
        return self._answer(request, translation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Say whether the article helped (one vote per user or session)",
        request=s.FeedbackSerializer,
        responses={204: OpenApiResponse(description="Vote recorded"), **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, slug=None):
        article = Article.objects.visible_to(request.user).filter(slug=slug).first()
        if article is None:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        data = s.FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        services.kb_article_feedback_submit(
            article=article,
            helpful=data.validated_data["helpful"],
            comment=data.validated_data.get("comment"),
            user=user,
            session_key="" if user else session_key_for(request, create=True),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SuggestView(APIView):
    permission_classes = [KBReaders]

    @extend_schema(
        summary="Up to 5 published articles most relevant to a ticket's subject and text",
        parameters=[s.SuggestQuerySerializer],
        responses={200: s.SuggestionsSerializer, **ERRORS},
    )
    def get(self, request):
        params = s.SuggestQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        articles = article_suggest(
            user=request.user,
            text=params.validated_data["q"],
            language=params.validated_data.get("lang"),
        )
        data = s.ArticleSerializer(articles, many=True, context={"request": request}).data
        return Response({"results": data})
