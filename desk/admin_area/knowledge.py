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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("parent")

    @staticmethod
    def initial_of(article: Article | None) -> dict:
        if article is None:
            return {"status": Status.DRAFT, "visibility": Visibility.PUBLIC}
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


@admin_view("kb-articles")
@require_GET
def article_list(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    articles = Article.objects.select_related("category").only(
        "id", "title", "slug", "status", "visibility", "updated_at", "category__name"
    )
    if query:
        articles = articles.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    context = {"articles": articles.order_by("-updated_at")[:LIST_LIMIT], "query": query}
    return admin_render(request, "desk/admin/kb_list.html", context)


@admin_view("kb-articles")
def article_edit(request, pk=None):
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, initial=ArticleForm.initial_of(article))
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
    }
    return admin_render(
        request, "desk/admin/kb_form.html", context, status=400 if form.errors else 200
    )


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
        "comments": kb_selectors.article_feedback_comments(since=since),
    }
    return admin_render(request, "desk/admin/kb_insights.html", context)
