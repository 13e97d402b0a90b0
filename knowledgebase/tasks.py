"""django-q2 entry points; they run inside a tenant schema (panel1.jobs) and call services."""

from django.core.cache import cache

from knowledgebase import search, services


def views_flush_task() -> int:
    return services.kb_article_views_flush()


def vocabulary_refresh_task() -> dict[str, int] | None:
    # Cleared first: a change made while this runs queues the next rebuild.
    cache.delete("kb:vocabulary:pending")
    return search.vocabulary_refresh(force=False)


def search_config_sync_task() -> int:
    return services.kb_search_config_sync()
