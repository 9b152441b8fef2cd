"""The sitemap: public posts (with last change), categories, tags, therapists and the static pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from bookings.selectors import therapists_public

from .models import Category, Post, Tag


class Sitemap(DjangoSitemap):
    """Addresses on ``SITE_URL``, whichever host name the request came in on (like canonical links and emails)."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


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


class TherapistSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return therapists_public().order_by("slug")


class StaticPageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return ["home", "bookings:start", "bookings:therapist_list", "blog:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "static": StaticPageSitemap,
    "posts": PostSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "therapists": TherapistSitemap,
}
