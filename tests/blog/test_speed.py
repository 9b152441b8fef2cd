"""What a blog list page costs when its own page is not cached: round trips to the cache and the database."""

from unittest import mock

import pytest
from django.core.cache import cache

from tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_reads():
    """Every read of the cache, as (method, keys), while the test runs."""
    backend = type(cache._connections[cache._alias]) if hasattr(cache, "_connections") else type(cache)
    reads = []
    inside = []  # the local-memory cache's get_many() calls get() for each key: one round trip all the same

    def recording(name):
        original = getattr(backend, name)

        def read(self, key_or_keys, *args, **kwargs):
            if not inside:
                reads.append((name, key_or_keys))
            inside.append(name)
            try:
                return original(self, key_or_keys, *args, **kwargs)
            finally:
                inside.pop()

        return read

    with (
        mock.patch.object(backend, "get", recording("get")),
        mock.patch.object(backend, "get_many", recording("get_many")),
    ):
        yield reads


@pytest.mark.parametrize("url", ["/blog/", "/blog/tag/shared/", "/blog/category/running/"])
def test_a_list_page_reads_its_cached_sidebar_count_and_lifetime_in_two_round_trips(client, url, cache_reads):
    running = CategoryFactory(name="Running", slug="running")
    for number in range(12):
        PostFactory(body=f"#tag{number} #shared", categories=[running])
    assert client.get(url).status_code == 200  # fills the blog's cache
    cache_reads.clear()
    response = client.get(url)
    assert response.status_code == 200
    assert "#shared" in response.content.decode()  # the sidebar's popular tags, from the cache
    assert len(cache_reads) == 2, cache_reads
