"""Reads for blog pages, feeds, the sitemap, the home page and the newsletter.

Everything public starts from ``Post.objects.published()``, so drafts and scheduled
posts stay invisible everywhere.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from newsletter.interface import Article

from .fragments import blog_cached
from .models import Author, Category, Post, PostTag, Tag

SEARCH_MAX_LENGTH = 100
HOME_FEATURED = 3
HOME_LATEST = 3

T = TypeVar("T")


def posts_public() -> QuerySet[Post]:
    return Post.objects.published().for_lists()


def posts_for_home() -> dict:
    """Featured posts and the newest others, for the home page's "From the blog" section.

    Kept with the blog's cached fragments (``blog_cached``): the section changes only when a post is
    written or deleted or a scheduled one goes live, and reading it costs one round trip to the cache
    instead of three queries.
    """
    return blog_cached("home", _posts_for_home)


def _posts_for_home() -> dict:
    featured = posts_featured()
    latest = list(posts_public().exclude(pk__in=[post.pk for post in featured])[:HOME_LATEST])
    return {"featured_posts": featured, "featured_cards": post_cards_html(featured), "latest_posts": latest}


def posts_published_since(since: datetime | None) -> QuerySet[Post]:
    """Public posts published after ``since`` (all of them when None), newest first."""
    posts = Post.objects.published().select_related("author").order_by("-publish_at", "-pk")
    return posts if since is None else posts.filter(publish_at__gt=since)


def articles_for_newsletter(since: datetime) -> list[Article]:
    """The blog as a source of the newsletter's "recent articles" (registered in BlogConfig.ready())."""
    return [
        Article(
            title=post.title,
            url=settings.SITE_URL + post.get_absolute_url(),
            excerpt=post.excerpt,
            publish_at=post.publish_at,
        )
        for post in posts_published_since(since)
    ]


def posts_featured(*, newest_in_category: list[int] | None = None) -> list[Post]:
    """The Featured block of the home page and the blog: the posts the editors pinned, in their order,
    whatever their dates, then the newest posts in the "featured" category while there is room.

    ``newest_in_category``: ``posts_featured_in_category()`` when the caller has it (from the blog's cache).
    """
    # The newest unpinned public posts of the category first (from its link rows), so the block is then read
    # through two indexes (the pins', the primary key's) however long the archive grows. (As a subquery
    # PostgreSQL scans every post instead.)
    if newest_in_category is None:
        newest_in_category = posts_featured_in_category()
    return list(
        posts_public()
        .filter(Q(home_position__isnull=False) | Q(pk__in=newest_in_category))
        .order_by(F("home_position").asc(nulls_last=True), "-publish_at", "-pk")[:HOME_FEATURED]
    )


def posts_featured_in_category() -> list[int]:
    """The ids of the newest public posts in the "featured" category that no editor pinned, newest first."""
    return list(
        Post.categories.through.objects.filter(
            category__slug=Category.FEATURED_SLUG,
            post__status=Post.Status.PUBLISHED,
            post__publish_at__lte=timezone.now(),
            post__home_position__isnull=True,
        )
        .order_by("-post__publish_at", "-post_id")
        .values_list("post_id", flat=True)[:HOME_FEATURED]
    )


def clean_search_query(raw: str) -> tuple[str, bool]:
    """The query to search for (control characters removed, at most SEARCH_MAX_LENGTH) and whether it was cut."""
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", raw).split())
    return text[:SEARCH_MAX_LENGTH].strip(), len(text) > SEARCH_MAX_LENGTH


def posts_search(query: str) -> QuerySet[Post]:
    """Public posts matching ``query``: PostgreSQL full-text ranked by relevance, else every word in title or body.

    On PostgreSQL the match reads the stored, GIN-indexed ``search_document`` column (migration 0003).
    """
    posts = posts_public()
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="english")
        # A constant naming the column the model does not declare; nothing from the request goes into it.
        document = RawSQL('"blog_post"."search_document"', [], output_field=SearchVectorField())  # noqa: S611
        return (
            posts.annotate(document=document)
            .filter(document=search)
            # Ranking by the title alone keeps the cost per matching row small; body matches follow, newest first.
            .annotate(rank=SearchRank(SearchVector("title", config="english"), search))
            .order_by("-rank", "-publish_at")
        )
    for word in query.split()[:10]:
        posts = posts.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return posts


def _own_tags() -> Prefetch:
    """The post's tags as ``post.own_tags``: each ``PostTag`` with its tag, spelled the way this post spells it."""
    return Prefetch(
        "post_tags", queryset=PostTag.objects.select_related("tag").order_by("tag__slug"), to_attr="own_tags"
    )


def post_public_by_slug(slug: str) -> Post | None:
    return (
        Post.objects.published()
        .select_related("author__therapist", "series")
        .prefetch_related("categories", _own_tags())
        .filter(slug=slug)
        .first()
    )


def post_for_preview(pk: int) -> Post | None:
    return (
        Post.objects.select_related("author__therapist", "series")
        .prefetch_related("categories", _own_tags())
        .filter(pk=pk)
        .first()
    )


def post_redirect_target(old_slug: str) -> Post | None:
    """The public post that used to live at ``old_slug``."""
    return Post.objects.published().filter(slug_history__old_slug=old_slug).first()


def series_parts(post: Post) -> tuple[list[Post], int]:
    """The public parts of the post's series in order (the post itself included even when it is a
    preview), and how many parts the series has so far, counting scheduled ones: a reader of part 3
    sees "of 4" while part 4 waits for its publish time, never "of 2" while part 2 does.
    """
    if not post.series_id:
        return [], 0
    now = timezone.now()
    candidates = (
        Post.objects.filter(series_id=post.series_id)
        .filter(Q(status=Post.Status.PUBLISHED) | Q(pk=post.pk))
        .order_by("series_part", "pk")
        .only("pk", "title", "slug", "series_part", "series_id", "publish_at", "status")
    )
    parts, total = [], post.series_part or 0
    for part in candidates:
        total = max(total, part.series_part or 0)
        if part.pk == post.pk or part.publish_at <= now:
            parts.append(part)
    return parts, max(total, len(parts))


def posts_related(post: Post, *, limit: int = 3) -> list[Post]:
    """Public posts sharing the most tags (weighted double) and categories with ``post``."""
    tag_ids = [own.tag_id for own in post.tags_as_written]
    category_ids = [c.pk for c in post.categories.all() if c.slug != Category.FEATURED_SLUG]
    if not tag_ids and not category_ids:
        return []
    # Each kind of overlap is counted in the small link tables, for the posts that share something at all,
    # rather than by joining every public post to all its tags and categories and grouping the lot.
    shared = []
    if tag_ids:
        shared.append((PostTag.objects.filter(tag_id__in=tag_ids), 2))
    if category_ids:
        shared.append((Post.categories.through.objects.filter(category_id__in=category_ids), 1))
    score = sum(
        weight
        * Coalesce(
            Subquery(
                links.filter(post_id=OuterRef("pk")).order_by().values("post_id").annotate(n=Count("*")).values("n")
            ),
            0,
        )
        for links, weight in shared
    )
    sharing = Q()
    for links, _ in shared:
        sharing |= Q(pk__in=links.values("post_id"))
    candidates = (
        Post.objects.published()
        .filter(sharing)
        .exclude(pk=post.pk)
        .annotate(score=score)
        .select_related("author__therapist", "series")
        .order_by("-score", "-publish_at")
    )
    return list(candidates[:limit])


def post_neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The public posts just before and just after this one."""
    public = (
        Post.objects.published()
        .select_related("series")
        .only("title", "slug", "publish_at", "series_part", "series__title")
    )
    # A bound on publish_at alone lets the (status, publish_at) index start next to the post instead of
    # filtering its way through the archive; a post published at the same instant is told apart by pk.
    previous = public.filter(publish_at__lte=post.publish_at).exclude(publish_at=post.publish_at, pk__gte=post.pk)
    following = public.filter(publish_at__gte=post.publish_at).exclude(publish_at=post.publish_at, pk__lte=post.pk)
    return (
        previous.order_by("-publish_at", "-pk").first(),
        following.order_by("publish_at", "pk").first(),
    )


def _by_slug(kind: str, slug: str, model, find: Callable[[], T]) -> T | None:
    """``find()`` kept with the blog's cached fragments once it found something; a slug longer than the field
    allows is nothing, without a query or a cache key."""
    if len(slug) > model._meta.get_field("slug").max_length:
        return None
    # The address's slug names the cache entry only when it is plain (memcached refuses spaces and controls).
    name = (
        slug if slug.isascii() and slug.isprintable() and " " not in slug else hashlib.sha256(slug.encode()).hexdigest()
    )
    return blog_cached(f"{kind}:{name}", find)


def tag_by_slug(slug: str) -> Tag | None:
    """The tag spelled ``slug`` in any case."""
    slug = slug.lower()
    return _by_slug("tag", slug, Tag, lambda: Tag.objects.filter(slug=slug).first())


def category_by_slug(slug: str) -> Category | None:
    return _by_slug("category", slug, Category, lambda: Category.objects.filter(slug=slug).first())


def author_by_slug(slug: str) -> Author | None:
    """The author at ``slug``, with their therapist."""
    return _by_slug(
        "author", slug, Author, lambda: Author.objects.select_related("therapist").filter(slug=slug).first()
    )


def tag_public(slug: str) -> Tag | None:
    """The tag spelled ``slug`` (any case) while a public post uses it; None for a tag only drafts or
    scheduled posts use, which must not be found before they go live (the tag page says the same)."""
    in_use = Post.objects.published().filter(tags=OuterRef("pk"))
    return Tag.objects.filter(Exists(in_use), slug=slug.lower()).first()


def tags_popular(*, limit: int = 20) -> list[Tag]:
    """The tags used by the most public posts, with ``post_count``."""
    now = timezone.now()
    public = Q(posts__status=Post.Status.PUBLISHED, posts__publish_at__lte=now)
    return list(
        Tag.objects.annotate(post_count=Count("posts", filter=public, distinct=True))
        .filter(post_count__gt=0)
        .order_by("-post_count", "slug")[:limit]
    )


def categories_with_posts() -> list[Category]:
    now = timezone.now()
    public = Q(posts__status=Post.Status.PUBLISHED, posts__publish_at__lte=now)
    return list(
        Category.objects.annotate(post_count=Count("posts", filter=public, distinct=True)).filter(post_count__gt=0)
    )


def archive_months() -> list[datetime]:
    return list(Post.objects.published().datetimes("publish_at", "month", order="DESC"))


def blog_sidebar_html() -> SafeString:
    """The list pages' tag counts, categories and archive months, rendered (cache it: see ``blog_cached``)."""
    return render_to_string(
        "blog/_sidebar_lists.html",
        {"popular_tags": tags_popular(), "all_categories": categories_with_posts(), "archive_months": archive_months()},
    )


def post_cards_html(posts: list[Post]) -> SafeString:
    """The posts as cards, rendered: cached beside the posts (see ``blog_cached``), since rendering a page of
    cards costs more than everything else on a list page."""
    return render_to_string("blog/_post_cards.html", {"posts": posts}) if posts else mark_safe("")


def post_json_ld(post: Post) -> SafeString:
    """JSON-LD ``BlogPosting`` for the post, safe to place inside <script type="application/ld+json">."""
    site = settings.SITE_URL
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.excerpt,
        "url": site + post.get_absolute_url(),
        "mainEntityOfPage": site + post.get_absolute_url(),
        "datePublished": post.publish_at.isoformat(),
        "dateModified": post.updated_at.isoformat(),
        "author": {
            "@type": "Person",
            "name": post.author.profile.name,
            "url": site + post.author.get_absolute_url(),
        },
        "publisher": {"@type": "Organization", "name": settings.CLINIC_NAME, "url": site + "/"},
        "keywords": [own.spelling for own in post.tags_as_written],
        "articleSection": [category.name for category in post.categories.all()],
    }
    if post.author.profile.credentials:
        data["author"]["honorificSuffix"] = post.author.profile.credentials
    if image := post_image_url(post):
        data["image"] = image
    text = json.dumps(data, ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped cannot close the script element


def post_image_url(post: Post) -> str:
    """The absolute address of the post's hero image for og:image and JSON-LD, or "" when it has none."""
    if not post.hero_default:
        return ""
    url = post.hero_default["url"]
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + "/" + url.lstrip("/")
