"""Public knowledge-base pages on the tenant host: /kb/, /kb/<slug>/, /kb/search/ (+ staff
insights and the suggestions partial the portal's ticket form loads)."""

from __future__ import annotations

import functools
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from knowledgebase import selectors, services
from knowledgebase.models import (
    Article,
    ArticleFeedback,
    SearchOutcome,
    SearchSource,
)
from knowledgebase.plugins import ticket_suggestions as ticket_suggestions_for
from knowledgebase.querysets import is_kb_staff, kb_open_to_anonymous
from knowledgebase.search import article_suggest
from knowledgebase.web import reader_key, session_key_for
from panel1.content_language import language_name
from panel1.exceptions import DomainError, NotFound
from panel1.ids import parse_uuid
from tickets.selectors import ticket_get_for

PAGE_SIZE = 10
MAX_PAGE = 20  # search answers at most 200 ranked matches
# The portal's new-ticket page, when the portal app provides one (first name that resolves).
CONTACT_URL_NAMES = ("portal:ticket-create", "portal:ticket_create", "portal:new-ticket")


def kb_reader(view):
    """Send anonymous visitors to the login page when the KB is not open to them."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and not kb_open_to_anonymous():
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def contact_url(search_id=None) -> str:
    for name in CONTACT_URL_NAMES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        return f"{url}?kb_search={search_id}" if search_id else url
    return "/"


def _page_number(request) -> int:
    try:
        return max(1, min(MAX_PAGE, int(request.GET.get("page", 1))))
    except ValueError:
        return 1


@require_GET
@kb_reader
def index(request):
    user = request.user
    return render(
        request,
        "knowledgebase/index.html",
        {
            "categories": selectors.category_tree_for(user),
            "popular": selectors.article_popular_for(user),
            "recent": selectors.article_list_for(user)[:6],
        },
    )


@require_GET
@kb_reader
def search(request):
    query = request.GET.get("q", "").strip()
    page = _page_number(request)
    results, record = services.kb_search_run(
        user=request.user,
        query=query,
        source=SearchSource.PAGE,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        session_key=session_key_for(request, create=False),
    )
    search_id = record.pk if record else parse_uuid(request.GET.get("sid"))
    pages = min(MAX_PAGE, (results.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request,
        "knowledgebase/search.html",
        {
            "query": query,
            "results": results,
            "search_id": search_id,
            "page": page,
            "pages": pages,
            "contact_url": contact_url(search_id),
        },
    )


@require_GET
@kb_reader
def category_or_article(request, slug: str):
    category = selectors.category_get(slug)
    if category is not None:
        return _category_page(request, category)
    try:
        article = selectors.article_get_for(request.user, slug)
    except NotFound as exc:
        raise Http404("No such article") from exc
    if article.is_published:
        # The reader's language (or `?lang=` from the "also in" links), else the default.
        article = selectors.article_for_reader(
            request.user, article, language=request.GET.get("lang")
        )
        if article.slug != slug:
            query = f"?{request.GET.urlencode()}" if request.GET else ""
            return redirect(reverse("kb:detail", args=[article.slug]) + query)
    else:
        article.fallback = False  # staff preview a draft as it is
    return _article_page(request, article)


def _category_page(request, category):
    articles = selectors.article_list_for(request.user, category=category)
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
    if not page.paginator.count and not is_kb_staff(request.user):
        raise Http404("No such category")  # nothing in it this reader may see
    tree = selectors.category_tree_for(request.user)
    current = next((c for c in tree if c.pk == category.pk), None)
    return render(
        request,
        "knowledgebase/category.html",
        {
            "category": category,
            "subcategories": current.subcategories if current else [],
            "page_obj": page,
        },
    )


def _article_page(request, article):
    if article.is_published:
        services.kb_article_view_record(article=article, viewer=reader_key(request))
    search_id = request.GET.get("sid")
    if search_id:
        services.kb_search_outcome_record(
            search_id=search_id, outcome=SearchOutcome.ARTICLE_OPENED, article=article
        )
    selectors.article_translations(request.user, [article])
    return render(
        request,
        "knowledgebase/article.html",
        {
            "article": article,
            "feedback": _current_vote(request, article),
            "contact_url": contact_url(),
            "is_staff": is_kb_staff(request.user),
            "translations": [
                {**row, "language_name": language_name(row["language"])}
                for row in article.translation_list
                if row["status"] == "PUBLISHED"
            ],
        },
    )


def _current_vote(request, article) -> ArticleFeedback | None:
    if request.user.is_authenticated:
        voter = {"user": request.user}
    else:
        key = session_key_for(request, create=False)
        if not key:
            return None
        voter = {"user": None, "session_key": key}
    return (
        ArticleFeedback.objects.filter(article=article, **voter).only("helpful", "comment").first()
    )


def _feedback_record(article, helpful: bool, comment: str | None, voter: dict):
    """(the vote, an error message): a comment that is refused still leaves the vote counted,
    so the reader sees the box again with the reason."""
    submit = functools.partial(
        services.kb_article_feedback_submit, article=article, helpful=helpful, **voter
    )
    try:
        return submit(comment=comment), ""
    except DomainError as exc:
        error = "; ".join(str(m) for ms in exc.errors.values() for m in ms) or str(exc)
        if "comment" not in exc.errors:
            return None, error
    try:
        return submit(comment=None), error
    except DomainError:
        return None, error


@require_POST
@kb_reader
def feedback(request, slug: str):
    article = Article.objects.visible_to(request.user).filter(slug=slug).first()
    if article is None:
        raise Http404("No such article")
    helpful = request.POST.get("helpful", "").lower() in ("1", "true", "yes")
    voter = {"user": request.user} if request.user.is_authenticated else {"user": None}
    if voter["user"] is None:
        voter["session_key"] = session_key_for(request, create=True)
    vote, error = _feedback_record(article, helpful, request.POST.get("comment"), voter)
    if vote is None:
        vote = _current_vote(request, article)
    article.refresh_from_db(fields=["helpful_count", "not_helpful_count"])
    if request.htmx:
        context = {"article": article, "feedback": vote, "just_voted": True}
        return render(
            request, "knowledgebase/_feedback_inner.html", {**context, "feedback_error": error}
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thanks for your feedback."))
    return redirect(reverse("kb:detail", args=[article.slug]) + "#kb-feedback")


@require_GET
def insights(request):
    """Staff: what readers search for, and what they do not find."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_kb_staff(request.user):
        raise PermissionDenied(_("Only staff may open knowledge base insights."))
    # The page lives in the desk's admin area now (when the desk is installed).
    moved = _desk_insights_url(request)
    if moved:
        return redirect(moved)
    days = request.GET.get("days", "30")
    days = int(days) if days in ("7", "30", "90") else 30
    since = timezone.now() - timedelta(days=days)
    return render(
        request,
        "knowledgebase/insights.html",
        {
            "days": days,
            "summary": selectors.search_summary(since=since),
            "top": selectors.search_top_queries(since=since),
            "gaps": selectors.search_zero_result_queries(since=since),
        },
    )


@require_GET
@kb_reader
def suggest(request):
    """An HTML fragment of article suggestions for free text (the portal's ticket form)."""
    text = " ".join(request.GET.get(name, "") for name in ("q", "subject", "content"))
    articles = article_suggest(user=request.user, text=text)
    return render(request, "knowledgebase/_suggestions.html", {"articles": articles})


@require_GET
def ticket_suggestions(request, pk):
    """The ticket sidebar's articles (the UI slot's placeholder loads them after the page), for
    a signed-in reader who may see the ticket."""
    if not request.user.is_authenticated:
        raise Http404("No such ticket")
    try:
        ticket = ticket_get_for(request.user, str(pk))
    except NotFound as exc:
        raise Http404("No such ticket") from exc
    articles = ticket_suggestions_for(user=request.user, ticket=ticket)
    return render(request, "knowledgebase/_ticket_suggestions.html", {"kb_articles": articles})


def _desk_insights_url(request) -> str:
    """The desk admin area's insights page with this query, or "" without the desk."""
    try:
        url = reverse("desk:admin-kb-insights")
    except NoReverseMatch:
        return ""
    return f"{url}?{request.GET.urlencode()}" if request.GET else url


@require_GET
@kb_reader
def image(request, pk):
    """An image of an article, with the type sniffed at upload; never run as a document."""
    try:
        found = selectors.image_get_for(request.user, pk)
    except NotFound as exc:
        raise Http404("No such image") from exc
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("No such image") from exc
    response = FileResponse(handle, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response
