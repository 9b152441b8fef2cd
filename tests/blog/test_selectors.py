from datetime import timedelta

import pytest
from django.utils import timezone

from blog.selectors import posts_for_home, posts_published_since
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
