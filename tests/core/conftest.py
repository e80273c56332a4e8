import pytest
from django.core.cache import cache


@pytest.fixture
def page_cache_on(settings):
    """The page cache and the kept parts of pages on (the rest of the suite runs without)."""
    settings.SCOMM_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()
