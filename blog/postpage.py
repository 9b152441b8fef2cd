"""A post's page: what it shows, and the parts of it that are the same for every visitor, rendered once and kept
with the blog's cached fragments."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.site import clinic_details

from . import selectors
from .fragments import blog_cached_many
from .models import Post

#: Where the article leaves room for the page's newsletter form, which carries a per-page stamp and address.
FORM_SLOT = "<!-- newsletter form -->"


def post_page_public(slug: str) -> dict | None:
    """The page of the public post at ``slug`` (see ``post_page_build``), or None when there is none.

    Kept with the blog's cached fragments, so a post's page reads it in one round trip to the cache instead
    of up to seven queries and its rendering; writing any post, tag, category, series or author forgets it.
    """
    if len(slug) > Post._meta.get_field("slug").max_length:
        return None
    name = f"post:{slug}"
    return blog_cached_many({name: lambda: _post_page_find(slug)})[name]


def _post_page_find(slug: str) -> dict | None:
    post = selectors.post_public_by_slug(slug)
    return None if post is None else post_page_build(post, preview=False)


def post_page_build(post: Post, *, preview: bool) -> dict:
    """The post (with author, series, categories and tags) and its page's parts, rendered: the meta tags and
    the article around the newsletter form, with its series' parts, the related posts and, unless
    ``preview``, the public posts just before and after it."""
    parts, series_total = selectors.series_parts(post)
    position = next((index for index, part in enumerate(parts) if part.pk == post.pk), None)
    previous_post, next_post = (None, None) if preview else selectors.post_neighbours(post)
    context = {
        "post": post,
        "preview": preview,
        "series_parts": parts,
        "series_total": series_total,
        "series_previous": parts[position - 1] if position else None,
        "series_next": parts[position + 1] if position is not None and position + 1 < len(parts) else None,
        "related_posts": selectors.posts_related(post),
        "previous_post": previous_post,
        "next_post": next_post,
        "json_ld": selectors.post_json_ld(post),
        "og_image": selectors.post_image_url(post),
        # What the context processors give a page: these parts are rendered without a request.
        "clinic": clinic_details(),
        "site_url": settings.SITE_URL,
        "form_slot": mark_safe(FORM_SLOT),  # noqa: S308 - a constant comment of ours
    }
    top, bottom = render_to_string("blog/_post_article.html", context).split(FORM_SLOT)
    return {
        "post": post,
        "parts": {
            "meta": render_to_string("blog/_post_meta.html", context),
            "article_top": mark_safe(top),  # noqa: S308 - rendered by our template, escaped there
            "article_bottom": mark_safe(bottom),  # noqa: S308 - rendered by our template, escaped there
        },
    }
