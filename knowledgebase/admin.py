"""Admin for KB categories, articles (with revisions and restore) and search analytics.

Saves go through the services, so the admin gets revisions, rendering, slugs and events the
same way the API does.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.forms import SimpleArrayField
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from knowledgebase import selectors, services
from knowledgebase.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    Category,
    SearchRecord,
    Status,
)
from knowledgebase.services.articles import normalize_tags, slug_is_taken
from panel1.exceptions import DomainError

# --- categories ---------------------------------------------------------------------------


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "description", "parent", "position", "icon"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and parent.parent_id is not None:
            raise forms.ValidationError(_("Categories nest one level deep: pick a top-level one."))
        if parent is not None and self.instance.pk:
            if parent.pk == self.instance.pk:
                raise forms.ValidationError(_("A category cannot be its own parent."))
            if self.instance.children.exists():
                raise forms.ValidationError(_("This category has sub-categories of its own."))
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ["name", "parent", "slug", "position", "article_total"]
    list_editable = ["position"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="Articles", ordering="article_total")
    def article_total(self, category):
        return category.article_total

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Category.objects.top_level()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in self.form.Meta.fields}
        if change:
            services.kb_category_update(category=obj, actor=request.user, **values)
        else:
            saved = services.kb_category_create(actor=request.user, **values)
            obj.pk = saved.pk


# --- articles -----------------------------------------------------------------------------


class ArticleForm(forms.ModelForm):
    tags = SimpleArrayField(
        forms.CharField(max_length=50), required=False, help_text=gettext_lazy("Comma-separated.")
    )
    slug = forms.SlugField(
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to derive it from the title."),
    )

    class Meta:
        model = Article
        fields = ["title", "slug", "category", "status", "visibility", "excerpt", "tags", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"})}
        help_texts = {"excerpt": gettext_lazy("Leave empty to use the start of the body.")}

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug and slug_is_taken(slug, article=self.instance if self.instance.pk else None):
            raise forms.ValidationError(
                _("This address is already used by an article or category.")
            )
        return slug

    def clean_tags(self):
        try:
            return normalize_tags(self.cleaned_data.get("tags") or [])
        except DomainError as exc:
            raise forms.ValidationError(exc.errors["tags"]) from exc

    def validate_unique(self):
        pass  # the slug is checked above, against categories too; the service decides


class ArticleRevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    fields = ["number", "title", "editor", "note", "created_at", "restore"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-number"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "editor")

    @admin.display(description="")
    def restore(self, revision):
        if revision.article.current_revision_id == revision.pk:
            return "current"
        url = reverse(
            "admin:knowledgebase_article_restore", args=[revision.article_id, revision.pk]
        )
        return format_html('<a class="button" href="{}">Restore</a>', url)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "language",
        "category",
        "status",
        "visibility",
        "published_at",
        "view_count",
        "helpful_count",
        "not_helpful_count",
    ]
    list_filter = ["status", "visibility", "language", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "slug"]
    readonly_fields = [
        "author",
        "published_at",
        "view_count",
        "helpful_count",
        "not_helpful_count",
        "created_at",
        "updated_at",
        "page_link",
    ]
    inlines = [ArticleRevisionInline]
    actions = ["publish", "archive"]
    date_hierarchy = "published_at"
    show_full_result_count = False

    @admin.display(description="Page")
    def page_link(self, article):
        if not article.pk:
            return "-"
        url = reverse("kb:detail", kwargs={"slug": article.slug})
        return format_html('<a href="{}" target="_blank">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in self.form.Meta.fields}
        if change:
            services.kb_article_update(article=obj, actor=request.user, **values)
        else:
            obj.pk = services.kb_article_create(actor=request.user, **values).pk

    @admin.action(description=gettext_lazy("Publish selected articles"))
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED)

    @admin.action(description=gettext_lazy("Archive selected articles"))
    def archive(self, request, queryset):
        self._set_status(request, queryset, Status.ARCHIVED)

    def _set_status(self, request, queryset, status):
        for article in queryset:
            services.kb_article_update(article=article, actor=request.user, status=status)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "%(count)s article is now %(status)s.",
                "%(count)s articles are now %(status)s.",
                count,
            )
            % {"count": count, "status": str(Status(status).label).lower()},
        )

    def get_urls(self):
        restore = self.admin_site.admin_view(self.restore_view)
        return [
            path(
                "<uuid:article_id>/restore/<uuid:revision_id>/",
                restore,
                name="knowledgebase_article_restore",
            ),
            *super().get_urls(),
        ]

    def restore_view(self, request, article_id, revision_id):
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("article"), pk=revision_id, article=article_id
        )
        if not self.has_change_permission(request, revision.article):
            return redirect("admin:index")
        if request.method == "POST":
            services.kb_article_revision_restore(revision=revision, actor=request.user)
            self.message_user(
                request,
                _("Revision %(number)s restored as the current text.")
                % {"number": revision.number},
            )
            return redirect("admin:knowledgebase_article_change", revision.article_id)
        return TemplateResponse(
            request,
            "admin/knowledgebase/restore_revision.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "revision": revision,
                "article": revision.article,
                "title": f"Restore revision {revision.number}?",
            },
        )


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "title", "editor", "note", "created_at"]
    list_select_related = ["article", "editor"]
    search_fields = ["article__title", "title"]
    readonly_fields = [
        "article", "number", "title", "body", "rendered", "editor", "note", "created_at",
    ]  # fmt: skip
    exclude = ["body_html", "body_text"]
    actions = ["restore_selected"]

    @admin.display(description="Rendered")
    def rendered(self, revision):
        return format_html('<div class="kb-preview">{}</div>', _safe(revision.body_html))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # history is read-only; restoring makes a new revision

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Restore the selected revision"), permissions=["view"])
    def restore_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one revision."), messages.WARNING)
            return None
        revision = queryset.select_related("article").get()
        services.kb_article_revision_restore(revision=revision, actor=request.user)
        self.message_user(request, _("Revision %(number)s restored.") % {"number": revision.number})
        return redirect("admin:knowledgebase_article_change", revision.article_id)


def _safe(html: str):
    # Stored HTML was sanitized when it was rendered (knowledgebase/rendering.py).
    return mark_safe(html)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "user", "updated_at"]
    list_filter = ["helpful"]
    list_select_related = ["article", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- search analytics ---------------------------------------------------------------------


class ZeroResultFilter(admin.SimpleListFilter):
    title = "results"
    parameter_name = "found"

    def lookups(self, request, model_admin):
        return [("no", "Found nothing"), ("yes", "Found something")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(result_count=0)
        if self.value() == "yes":
            return queryset.filter(result_count__gt=0)
        return queryset


@admin.register(SearchRecord)
class SearchRecordAdmin(admin.ModelAdmin):
    list_display = [
        "query", "result_count", "corrected_query", "source", "user", "outcome", "created_at",
    ]  # fmt: skip
    list_filter = [ZeroResultFilter, "source"]
    search_fields = ["normalized_query"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    change_list_template = "admin/knowledgebase/searchrecord/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [
            path("report/", report, name="knowledgebase_searchrecord_report"),
            *super().get_urls(),
        ]

    def report_view(self, request):
        days = request.GET.get("days", "30")
        days = int(days) if days in ("7", "30", "90") else 30
        since = timezone.now() - timedelta(days=days)
        return TemplateResponse(
            request,
            "admin/knowledgebase/search_report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Search analytics: top queries and content gaps",
                "days": days,
                "summary": selectors.search_summary(since=since),
                "top": selectors.search_top_queries(since=since),
                "gaps": selectors.search_zero_result_queries(since=since),
            },
        )
