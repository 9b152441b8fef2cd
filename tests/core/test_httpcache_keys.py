"""Spellings of the same address share one entry in Django's page cache, so nobody can fill it with copies."""

import pytest
from django.core.cache import cache

from tests.factories import PostFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE = True


def stored_pages() -> int:
    return sum(1 for key in cache._cache if ":pages:blog:index:" in key)


@pytest.mark.parametrize("spellings", [["1", "01", "0001", "00000001"], ["2", "02", "002"]])
def test_every_spelling_of_a_page_number_is_stored_once(client, spellings):
    for n in range(15):
        PostFactory(title=f"Post {n}")
    pages = [client.get("/blog/", {"page": spelling}) for spelling in spellings]
    assert {page.status_code for page in pages} == {200}
    assert len({page.content for page in pages}) == 1
    assert stored_pages() == 1


def test_a_repeated_parameter_is_stored_as_the_value_the_view_reads(client):
    for n in range(15):
        PostFactory(title=f"Post {n}")
    client.get("/blog/?page=2")
    client.get("/blog/?page=1&page=2")
    assert stored_pages() == 1


def test_a_slug_that_looks_like_a_number_keeps_its_own_entry(client):
    ServiceFactory(name="Seven", slug="7")
    ServiceFactory(name="Double-oh-seven", slug="007")
    seven = client.get("/book/", {"service": "7"}).content.decode()
    double_oh = client.get("/book/", {"service": "007"}).content.decode()
    assert "Double-oh-seven" in double_oh and "Double-oh-seven" not in seven
