import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The KB keeps vocabularies and buffered views in the cache; tests roll back the
    database, so the cache must not carry one test's state into the next."""
    cache.clear()
    yield
    cache.clear()
