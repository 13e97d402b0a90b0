"""Knowledge base in the admin area: the article list, the editor (toolbar, live preview by
the public page's own Markdown pipeline, image upload, links to other articles) and the
search insights with what readers said was missing."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from desk.admin_area.base import admin_render, admin_view
from desk.admin_area.common import add_errors
from knowledgebase import selectors as kb_selectors
from knowledgebase import services as kb
from knowledgebase.models import Article, Category, Status, Visibility
from knowledgebase.rendering import render_markdown
from knowledgebase.services.images import MAX_IMAGE_BYTES
from panel1.content_language import (
    default_language,
    language_name,
    normalize_language,
    offered_languages,
)
from panel1.exceptions import DomainError
from panel1.ids import is_uuid

MAX_PREVIEW_CHARS = 200_000
LIST_LIMIT = 200


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    body = forms.CharField(
        label=gettext_lazy("Article text"),
        required=False,
        max_length=MAX_PREVIEW_CHARS,
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "true", "class": "mono"}),
        help_text=gettext_lazy(
            "Markdown: **bold**, _italic_, ## headings, - lists, [links](/kb/slug/)."
        ),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.none(), required=False
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Status.choices)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read it"), choices=Visibility.choices
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Separated by commas."),
    )
    excerpt = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown in lists and search; empty: the first lines of the text."),
    )
    slug = forms.SlugField(
        label=gettext_lazy("Address"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The end of /kb/…/; empty: made from the title."),
    )
    note = forms.CharField(
        label=gettext_lazy("What changed"), required=False, max_length=200,
        help_text=gettext_lazy("Kept with the revision."),
    )  # fmt: skip
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy("Fixed once saved: translate into other languages instead."),
    )

    def __init__(self, *args, article: Article | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("parent")
        self.fields["language"].choices = language_choices()
        if article is not None:
            del self.fields["language"]  # an article's language never changes

    @staticmethod
    def initial_of(article: Article | None) -> dict:
        if article is None:
            return {
                "status": Status.DRAFT,
                "visibility": Visibility.PUBLIC,
                "language": default_language(),
            }
        return {
            "title": article.title,
            "body": article.body,
            "category": article.category_id,
            "status": article.status,
            "visibility": article.visibility,
            "tags": ", ".join(article.tags),
            "excerpt": "" if article.excerpt_is_auto else article.excerpt,
            "slug": article.slug,
        }

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [t.strip() for t in data["tags"].split(",") if t.strip()]
        return data


def language_choices() -> list[tuple[str, str]]:
    return [(code, f"{language_name(code)} ({code})") for code in offered_languages()]


@admin_view("kb-articles")
@require_GET
def article_list(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    language = normalize_language(request.GET.get("lang")) or ""
    articles = Article.objects.select_related("category").only(
        "id", "title", "slug", "status", "visibility", "updated_at", "category__name",
        "language", "translation_of_id",
    )  # fmt: skip
    if query:
        articles = articles.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    if language:
        articles = articles.filter(language=language)
    context = {
        "articles": articles.order_by("-updated_at")[:LIST_LIMIT],
        "query": query,
        "language": language,
        "languages": language_choices(),
    }
    return admin_render(request, "desk/admin/kb_list.html", context)


@admin_view("kb-articles")
def article_edit(request, pk=None):
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(
        request.POST or None, initial=ArticleForm.initial_of(article), article=article
    )
    if request.method == "POST" and form.is_valid():
        try:
            article = _save(request, article, form.values())
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect("desk:admin-kb-edit", pk=article.pk)
    body = form["body"].value() or ""
    context = {
        "article": article,
        "form": form,
        "preview_html": render_markdown(body),
        "public_url": reverse("kb:detail", args=[article.slug]) if article else "",
        **(_translation_context(request, article) if article else {}),
    }
    return admin_render(
        request, "desk/admin/kb_form.html", context, status=400 if form.errors else 200
    )


def _translation_context(request, article: Article) -> dict:
    """The article's group for the editor: the translations there are (every status) and
    the offered languages still missing, which the "Translate" action starts."""
    kb_selectors.article_translations(request.user, [article])
    rows = [
        {**row, "language_name": language_name(row["language"])} for row in article.translation_list
    ]
    present = {article.language, *(row["language"] for row in rows)}
    return {
        "translations": rows,
        "article_language": language_name(article.language),
        "missing_languages": [
            (code, name) for code, name in language_choices() if code not in present
        ],
    }


@admin_view("kb-articles")
@require_POST
def article_translate(request, pk):
    """Start (or open, when someone already did) the translation into the chosen language."""
    article = get_object_or_404(Article, pk=pk)
    try:
        translation = kb.kb_article_translate(
            article=article,
            language=request.POST.get("language", ""),
            actor=request.user,
            existing_ok=True,
        )
    except DomainError as exc:
        for message in exc.errors.get("language", []) or [str(exc)]:
            messages.error(request, message)
        return redirect("desk:admin-kb-edit", pk=article.pk)
    messages.success(
        request,
        _("The %(language)s version: translate it, then publish it.")
        % {"language": language_name(translation.language)},
    )
    return redirect("desk:admin-kb-edit", pk=translation.pk)


@admin_view("kb-translations")
@require_GET
def missing_translations(request):
    """Editors' to-do list: articles lacking a translation in an offered language."""
    language = normalize_language(request.GET.get("lang")) or ""
    languages = [language] if language else offered_languages()
    rows = kb_selectors.articles_missing_translations(languages=languages)
    for row in rows:
        row["missing_names"] = [(code, language_name(code)) for code in row["missing"]]
    context = {
        "rows": rows[:LIST_LIMIT],
        "total": len(rows),
        "language": language,
        "languages": language_choices(),
    }
    return admin_render(request, "desk/admin/kb_translations.html", context)


def _save(request, article: Article | None, data: dict) -> Article:
    note = data.pop("note", "")
    if not data.get("slug"):
        data.pop("slug", None)  # made from the title (new) or kept (edit)
    if article is None:
        return kb.kb_article_create(actor=request.user, author=request.user, **data)
    return kb.kb_article_update(article=article, actor=request.user, note=note, **data)


@admin_view("kb-articles")
@require_POST
def article_preview(request):
    """The article as readers will see it: the same renderer as the public page."""
    body = request.POST.get("body", "")[:MAX_PREVIEW_CHARS]
    context = {"preview_html": render_markdown(body), "title": request.POST.get("title", "")}
    return render(request, "desk/admin/_kb_preview.html", context)


@admin_view("kb-articles")
@require_POST
def image_upload(request):
    """An image for the editor: stored for this tenant, answered with the Markdown to insert."""
    upload = request.FILES.get("image")
    article_id = request.POST.get("article", "")
    article = Article.objects.filter(pk=article_id).first() if is_uuid(article_id) else None
    if upload is None:
        return JsonResponse({"image": [_("Choose an image file.")]}, status=400)
    if upload.size > MAX_IMAGE_BYTES:
        return JsonResponse({"image": [_("Images may be at most 5 MB.")]}, status=400)
    try:
        image = kb.kb_image_upload(
            actor=request.user, content=upload.read(), filename=upload.name, article=article
        )
    except DomainError as exc:
        return JsonResponse(exc.errors, status=exc.status_code)
    alt = request.POST.get("alt") or upload.name.rsplit(".", 1)[0]
    return JsonResponse(
        {
            "id": str(image.pk),
            "url": reverse("kb:image", args=[image.pk]),
            "markdown": kb.image_markdown(image, alt),
        },
        status=201,
    )


@admin_view("kb-articles")
@require_GET
def link_search(request):
    """Articles to link to, as buttons that insert `[Title](/kb/slug/)`."""
    query = request.GET.get("q", "")
    exclude = request.GET.get("exclude", "")
    candidates = kb_selectors.article_link_candidates(request.user, query)
    rows = [
        {"article": a, "markdown": f"[{_link_text(a.title)}]({_article_path(a)})"}
        for a in candidates
        if str(a.pk) != exclude
    ]
    return render(request, "desk/admin/_kb_link_results.html", {"rows": rows, "query": query})


def _article_path(article: Article) -> str:
    return reverse("kb:detail", args=[article.slug])


def _link_text(title: str) -> str:
    return " ".join(title.replace("[", "(").replace("]", ")").split())


@admin_view("kb-insights")
@require_GET
def insights(request):
    """What readers search for, what they do not find, and what they said was missing."""
    days = request.GET.get("days", "30")
    days = int(days) if days in ("7", "30", "90") else 30
    since = timezone.now() - timedelta(days=days)
    context = {
        "days": days,
        "summary": kb_selectors.search_summary(since=since),
        "top": kb_selectors.search_top_queries(since=since),
        "gaps": kb_selectors.search_zero_result_queries(since=since),
        "by_language": [
            {**row, "language_name": language_name(row["language"]) if row["language"] else ""}
            for row in kb_selectors.search_by_language(since=since)
        ],
        "comments": kb_selectors.article_feedback_comments(since=since),
    }
    return admin_render(request, "desk/admin/kb_insights.html", context)
