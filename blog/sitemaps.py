"""The blog's part of the sitemap: public posts (with last change), and categories and tags in use."""

from django.db.models import Max, Q
from django.utils import timezone

from core.sitemaps import Sitemap

from .models import Category, Post, Tag


def _public_posts_filter() -> Q:
    return Q(posts__status=Post.Status.PUBLISHED, posts__publish_at__lte=timezone.now())


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Post.objects.published().only("slug", "updated_at").order_by("-publish_at", "-pk")

    def lastmod(self, post):
        return post.updated_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return (
            Category.objects.filter(_public_posts_filter())
            .annotate(last_post=Max("posts__updated_at", filter=_public_posts_filter()))
            .order_by("slug")
        )

    def lastmod(self, category):
        return category.last_post


class TagSitemap(CategorySitemap):
    priority = 0.3

    def items(self):
        return (
            Tag.objects.filter(_public_posts_filter())
            .annotate(last_post=Max("posts__updated_at", filter=_public_posts_filter()))
            .order_by("slug")
        )


SITEMAPS = {"posts": PostSitemap, "categories": CategorySitemap, "tags": TagSitemap}
