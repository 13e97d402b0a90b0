"""Every write to the knowledge base goes through these services (API, pages, admin, seed)."""

from knowledgebase.services.analytics import (
    kb_search_outcome_record,
    kb_search_record,
    kb_search_run,
    kb_search_ticket_filed,
)
from knowledgebase.services.articles import (
    UNSET,
    kb_article_create,
    kb_article_revision_restore,
    kb_article_translate,
    kb_article_update,
    kb_search_config_sync,
)
from knowledgebase.services.categories import kb_category_create, kb_category_update
from knowledgebase.services.engagement import (
    kb_article_feedback_submit,
    kb_article_view_record,
    kb_article_views_add,
    kb_article_views_flush,
)
from knowledgebase.services.images import image_markdown, kb_image_upload

__all__ = [
    "UNSET",
    "image_markdown",
    "kb_image_upload",
    "kb_article_create",
    "kb_article_feedback_submit",
    "kb_article_revision_restore",
    "kb_article_translate",
    "kb_article_update",
    "kb_article_view_record",
    "kb_article_views_add",
    "kb_article_views_flush",
    "kb_category_create",
    "kb_category_update",
    "kb_search_config_sync",
    "kb_search_outcome_record",
    "kb_search_record",
    "kb_search_run",
    "kb_search_ticket_filed",
]
