"""Hostile input at the blog's public pages: search, page numbers, tags, categories, slugs, archives, feeds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Post
from tests.factories import CategoryFactory, PostFactory
from tests.fuzz import FUZZ, TRIED, assert_safe, encoded, hostile_params, hostile_value, raw_get, texts_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    category = CategoryFactory(name="Recovery", slug="recovery")
    return [PostFactory(body="Stretch your calves. #running", categories=[category]) for _ in range(12)]


@FUZZ
@given(params=hostile_params(["q", "page"]))
def test_fuzz_the_blog_index_search_and_page_numbers_never_fail(client, posts, params):
    response = raw_get(client, "/blog/", params)
    TRIED["GET /blog/?q=&page="] += 1
    assert_safe(response, texts_sent(params))
    assert response.status_code in (200, 400, 404)


PATHS = ["tag/{}/", "tag/{}/feed/", "category/{}/", "author/{}/", "{}/", "preview/{}/"]


@FUZZ
@given(pattern=st.sampled_from(PATHS), segment=hostile_value().filter(bool), params=hostile_params(["page"]))
def test_fuzz_tag_category_author_and_post_addresses_never_fail(client, posts, pattern, segment, params):
    path = "/blog/" + pattern.format(encoded(segment))
    response = raw_get(client, path, params)
    TRIED["GET /blog/<tag|category|author|slug>/"] += 1
    assert_safe(response, ([segment] if isinstance(segment, str) else []) + texts_sent(params))
    assert Post.objects.count() == len(posts)


@FUZZ
@given(year=st.integers(min_value=-10, max_value=10**12), month=st.integers(min_value=-10, max_value=10**6))
def test_fuzz_archive_dates_never_fail(client, posts, year, month):
    response = raw_get(client, f"/blog/{abs(year)}/{abs(month)}/", {})
    TRIED["GET /blog/<year>/<month>/"] += 1
    assert_safe(response)
    assert response.status_code in (200, 400, 404)
