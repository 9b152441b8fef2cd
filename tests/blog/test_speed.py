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


@pytest.mark.parametrize(
    "url, round_trips",
    # A tag's or a category's page first finds its tag or category (cached too), then reads its list.
    [("/blog/", 2), ("/blog/tag/shared/", 3), ("/blog/category/running/", 3)],
)
def test_a_list_page_reads_its_posts_sidebar_count_and_lifetime_from_the_cache_without_a_query(
    client, url, round_trips, cache_reads, django_assert_num_queries
):
    running = CategoryFactory(name="Running", slug="running")
    for number in range(12):
        PostFactory(body=f"#tag{number} #shared", categories=[running])
    assert client.get(url).status_code == 200  # fills the blog's cache
    cache_reads.clear()
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    assert "#shared" in response.content.decode()  # the sidebar's popular tags, from the cache
    assert response.content.decode().count('class="card h-100 post-card"') == 10  # the page's posts, from the cache
    assert len(cache_reads) == round_trips, cache_reads


def test_related_posts_rank_shared_tags_double_then_categories_then_the_newest(django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from blog.selectors import post_public_by_slug, posts_related

    now = timezone.now()
    running, sleep = CategoryFactory(slug="running"), CategoryFactory(slug="sleep")
    featured = CategoryFactory(name="Featured", slug="featured")
    post = PostFactory(slug="the-post", body="#calves #hips", categories=[running, featured])
    PostFactory(title="One tag", body="#calves", publish_at=now - timedelta(days=5))
    PostFactory(title="Two tags", body="#calves #hips", publish_at=now - timedelta(days=9))
    PostFactory(title="Category, newer", body="#neck", categories=[running], publish_at=now - timedelta(days=1))
    PostFactory(title="Category, older", body="#neck", categories=[running], publish_at=now - timedelta(days=2))
    PostFactory(
        title="One tag and the category", body="#hips", categories=[running], publish_at=now - timedelta(days=8)
    )
    PostFactory(title="Only featured", body="#neck", categories=[featured, sleep])
    PostFactory(title="Scheduled twin", body="#calves #hips", publish_at=now + timedelta(days=1))
    post = post_public_by_slug("the-post")
    with django_assert_max_num_queries(1):
        related = posts_related(post, limit=5)
    assert [p.title for p in related] == [
        "Two tags",
        "One tag and the category",
        "One tag",
        "Category, newer",
        "Category, older",
    ]


def test_neighbours_are_the_posts_just_before_and_after_even_at_the_same_instant():
    from datetime import timedelta

    from django.utils import timezone

    from blog.selectors import post_neighbours

    moment = timezone.now() - timedelta(days=3)
    PostFactory(title="Much older", publish_at=moment - timedelta(days=30))
    older = PostFactory(title="Older", publish_at=moment - timedelta(hours=1))
    first, middle, last = (PostFactory(title=f"Same instant {n}", publish_at=moment) for n in range(3))
    newer = PostFactory(title="Newer", publish_at=moment + timedelta(hours=1))
    PostFactory(title="Scheduled", publish_at=timezone.now() + timedelta(days=1))
    assert [p.pk for p in post_neighbours(middle)] == [first.pk, last.pk]
    assert [p.pk for p in post_neighbours(first)] == [older.pk, middle.pk]
    assert [p.pk for p in post_neighbours(last)] == [middle.pk, newer.pk]
    assert post_neighbours(newer)[1] is None


@pytest.fixture
def blog_with_links(db):
    from tests.factories import SeriesFactory

    featured = CategoryFactory(name="Featured", slug="featured")
    running = CategoryFactory(name="Running", slug="running")
    series = SeriesFactory()
    posts = [
        PostFactory(
            body=f"#shared #tag{n}",
            categories=[running, featured] if n % 4 == 0 else [running],
            series=series if n < 4 else None,
            series_part=n + 1 if n < 4 else None,
        )
        for n in range(14)
    ]
    return posts


@pytest.mark.parametrize(
    ("url", "cold", "warm"),
    [
        ("/", 6, 5),
        ("/blog/", 8, 0),
        ("/blog/tag/shared/", 7, 0),
        ("/blog/category/running/", 7, 0),
    ],
)
def test_list_pages_make_few_queries_and_fewer_once_the_blog_cache_is_warm(
    client, blog_with_links, url, cold, warm, django_assert_max_num_queries
):
    with django_assert_max_num_queries(cold):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(warm):
        assert client.get(url).status_code == 200


def test_a_post_in_a_series_is_read_from_the_blog_cache_without_a_query(
    client, blog_with_links, django_assert_num_queries
):
    """The post with its categories and tags, the posts before and after it, its series and related posts."""
    post = blog_with_links[2]
    client.get(post.get_absolute_url())
    with django_assert_num_queries(0):
        page = client.get(post.get_absolute_url()).content.decode()
    assert f"Part 3 of 4 · {post.series.title}" in page
    assert "#shared" in page
    assert blog_with_links[1].title in page and blog_with_links[3].title in page  # the parts before and after


def test_related_posts_come_from_the_blog_cache_until_a_post_is_written(client, django_assert_max_num_queries):
    post = PostFactory(body="#calves")
    PostFactory(title="Also about calves", body="#calves")
    client.get(post.get_absolute_url())
    with django_assert_max_num_queries(0):
        assert "Also about calves" in client.get(post.get_absolute_url()).content.decode()
    PostFactory(title="Calves again", body="#calves")  # saved through post_write, as the admin saves
    related = client.get(post.get_absolute_url()).content.decode().split('id="related-heading"')[1]
    assert "Calves again" in related


def test_a_posts_neighbours_come_from_the_blog_cache_until_a_post_is_written(client, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    PostFactory(title="The older one", publish_at=timezone.now() - timedelta(days=3))
    post = PostFactory(title="The post", publish_at=timezone.now() - timedelta(days=2))
    client.get(post.get_absolute_url())
    with django_assert_max_num_queries(0):
        page = client.get(post.get_absolute_url()).content.decode()
    assert "The older one" in page
    PostFactory(title="A newer one", publish_at=timezone.now() - timedelta(days=1))  # through post_write
    page = client.get(post.get_absolute_url()).content.decode()
    assert "The older one" in page and "A newer one" in page


def test_a_cached_post_page_still_carries_its_own_newsletter_form_once(client, django_assert_num_queries):
    post = PostFactory(title="Sleep and soreness", body="Rest well. #sleep")
    client.get(post.get_absolute_url())
    with django_assert_num_queries(0):
        page = client.get(post.get_absolute_url() + "?from=mail").content.decode()
    assert page.count("data-newsletter-subscribe") == 1
    assert f'name="source" value="{post.get_absolute_url()}?from=mail"' in page
    assert page.index("Rest well.") < page.index("data-newsletter-subscribe") < page.index("</article>")
