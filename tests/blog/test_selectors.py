import json
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.selectors import post_image_url, post_json_ld, posts_for_home, posts_published_since
from tests.blog.images import jpeg
from tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_posts_published_since_returns_newer_public_posts_newest_first(draft, scheduled):
    cutoff = timezone.now() - timedelta(days=3)
    PostFactory(title="Before", publish_at=cutoff - timedelta(hours=1))
    PostFactory(title="After", publish_at=cutoff + timedelta(hours=1))
    PostFactory(title="Latest", publish_at=timezone.now() - timedelta(minutes=5))
    assert [post.title for post in posts_published_since(cutoff)] == ["Latest", "After"]


def test_posts_published_since_none_returns_every_public_post(draft, scheduled):
    PostFactory(title="One")
    posts = list(posts_published_since(None))
    assert [post.title for post in posts] == ["One"]
    assert posts[0].excerpt and posts[0].get_absolute_url() and posts[0].author.name


def test_home_shows_featured_posts_and_other_latest_posts(draft):
    featured = CategoryFactory(slug="featured", name="Featured")
    star = PostFactory(title="Star", categories=[featured], publish_at=timezone.now() - timedelta(days=30))
    fresh = PostFactory(title="Fresh")
    draft.categories.add(featured)
    home = posts_for_home()
    assert home["featured_posts"] == [star]
    assert home["latest_posts"] == [fresh]


def test_home_page_shows_the_blog_section(client):
    PostFactory(title="Fresh from the blog")
    content = client.get("/").content.decode()
    assert "From the blog" in content and "Fresh from the blog" in content


def test_the_post_image_is_the_absolute_address_of_its_960_pixel_hero_shared_with_json_ld():
    post = PostFactory(hero_image=jpeg(2000, 1000), hero_alt="Morning light on a trail")
    url = post_image_url(post)
    assert url.startswith("https://clinic.test/media/blog/hero/variants/") and url.endswith("-960w.webp")
    assert json.loads(post_json_ld(post))["image"] == url


def test_a_post_without_a_hero_has_no_image_anywhere():
    post = PostFactory()
    assert post_image_url(post) == ""
    assert "image" not in json.loads(post_json_ld(post))
