from django.apps import AppConfig

from core import httpcache
from newsletter.articles import article_source_register  # the newsletter's registry, which reads no models


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        # The selectors read models, so they are imported once the app registry is ready.
        from .fragments import blog_fragment_seconds
        from .selectors import articles_for_newsletter

        article_source_register(articles_for_newsletter)
        httpcache.cacheable(
            "blog:index", "blog:category", "blog:tag", "blog:author", "blog:archive",
            seconds=300, depends_on=("blog",), params={"page"},
        )  # fmt: skip
        httpcache.cacheable(
            "blog:post", "blog:feed", "blog:feed_atom", "blog:category_feed", "blog:category_feed_atom",
            "blog:tag_feed", "blog:tag_feed_atom",
            seconds=300, depends_on=("blog",),
        )  # fmt: skip
        # A page showing posts expires no later than the next scheduled post goes live.
        httpcache.lifetime_limit("blog", blog_fragment_seconds)
        # The pages and the blog's cached fragments show these rows, however they are written.
        httpcache.pages_follow(
            *(self.get_model(name) for name in ("Post", "PostTag", "Tag", "Category", "Series", "Author")),
            apps=("blog",),
        )
