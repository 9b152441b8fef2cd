"""RSS and Atom feeds: the whole blog, each category and each tag (public posts only)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from .models import Category
from .selectors import posts_public, tag_public

FEED_SIZE = 20


class LatestPostsFeed(Feed):
    """Links are absolute on ``SITE_URL`` (Django's feeds would take the request's host name)."""

    description_template = None

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = settings.SITE_URL + request.path
        return feed

    def title(self, obj=None):
        return f"{settings.CLINIC_NAME} blog"

    def link(self, obj=None):
        return settings.SITE_URL + "/blog/"

    def description(self, obj=None):
        return f"New articles from the therapists at {settings.CLINIC_NAME}."

    def posts(self, obj):
        return posts_public()

    def items(self, obj=None):
        return list(self.posts(obj).prefetch_related("tags", "categories")[:FEED_SIZE])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.excerpt

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.display_name

    def item_author_link(self, item):
        return settings.SITE_URL + item.author.get_absolute_url()

    def item_categories(self, item):
        return [category.name for category in item.categories.all()] + [f"#{tag.name}" for tag in item.tags.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class CategoryFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj=None):
        return f"{obj.name} · {settings.CLINIC_NAME} blog"

    def link(self, obj=None):
        return settings.SITE_URL + obj.get_absolute_url()

    def description(self, obj=None):
        return f"New articles in {obj.name}."

    def posts(self, obj):
        return posts_public().filter(categories=obj)


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed
    subtitle = CategoryFeed.description


class TagFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        tag = tag_public(slug)
        if tag is None:
            raise Http404("No such tag.")
        return tag

    def title(self, obj=None):
        return f"#{obj.name} · {settings.CLINIC_NAME} blog"

    def link(self, obj=None):
        return settings.SITE_URL + obj.get_absolute_url()

    def description(self, obj=None):
        return f"New posts tagged #{obj.name}."

    def posts(self, obj):
        return posts_public().filter(tags=obj)


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    subtitle = TagFeed.description
