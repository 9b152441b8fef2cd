import calendar
from datetime import datetime

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors
from .models import Author, Category, Post, Tag

PER_PAGE = 10


def _page(request, posts, *, count: int | None, allow_empty: bool = True):
    """The requested page of ``posts``; ``count``, when known (cached: counting scans every match), saves counting.

    ``allow_empty=False`` makes a list with no posts at all a 404.
    """
    paginator = Paginator(posts, PER_PAGE, allow_empty_first_page=allow_empty)
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404("There is no such page of articles.") from error


def _post_list(request, *, posts, count_key, heading, description, extra=None, allow_empty=True, featured=False):
    """``featured``: the featured posts stand on top of page 1 and are left out of every page's list, so the
    pages count through the same list and no post appears twice."""
    # The sidebar, the list's count and the featured category's newest posts come from the blog's cache in
    # one round trip.
    computes = {"sidebar": selectors.blog_sidebar_html}
    if count_key is not None:
        computes[f"count:{count_key}"] = posts.count
    if featured:
        computes["featured_in_category"] = selectors.posts_featured_in_category
    fragments = selectors.blog_cached_many(computes)
    count = fragments.get(f"count:{count_key}")
    extra = dict(extra or {})
    if featured:
        # Every featured post is one of ``posts`` (posts_featured picks from the public posts), so the list
        # without them is exactly that many shorter.
        featured_posts = selectors.posts_featured(newest_in_category=fragments["featured_in_category"])
        posts = posts.exclude(pk__in=[post.pk for post in featured_posts])
        if count is not None:
            count -= len(featured_posts)
        extra["featured_posts"] = featured_posts if _is_first_page(request.GET.get("page")) else []
    page = _page(request, posts, count=count, allow_empty=allow_empty)
    context = {
        "page_obj": page,
        "posts": page.object_list,
        "heading": heading,
        "description": description,
        "sidebar_lists": fragments["sidebar"],
        **(extra or {}),
    }
    return render(request, "blog/post_list.html", context)


def _is_first_page(value: str | None) -> bool:
    """Whether ``?page=`` asks for page 1 as the paginator reads it ("", "1", "01")."""
    try:
        return int(value or "1") == 1
    except ValueError:
        return False


@require_GET
def index(request):
    raw_query = request.GET.get("q", "")
    if raw_query.strip():
        query, truncated = selectors.clean_search_query(raw_query)
        return _post_list(
            request,
            posts=selectors.posts_search(query) if query else Post.objects.none(),
            count_key=None,
            heading=f"Search results for “{query}”",
            description=f"Articles on the {settings.CLINIC_NAME} blog matching “{query}”.",
            extra={
                "is_search": True,
                "query": query,
                "query_truncated": truncated,
                "search_max": selectors.SEARCH_MAX_LENGTH,
            },
        )
    return _post_list(
        request,
        posts=selectors.posts_public(),
        count_key="public",
        heading="Blog",
        description=f"Long reads and quick tips on massage, recovery and moving well from the therapists at {settings.CLINIC_NAME}.",
        extra={"is_index": True},
        featured=True,
    )


@require_GET
def category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    return _post_list(
        request,
        posts=selectors.posts_public().filter(categories=category),
        count_key=f"category:{category.pk}",
        heading=category.name,
        description=category.description or f"Articles in {category.name} on the {settings.CLINIC_NAME} blog.",
        extra={"category": category},
    )


@require_GET
def tag(request, slug):
    tag = Tag.objects.filter(slug=slug.lower()).first()
    if tag is None:
        raise Http404("No such tag.")
    if slug != tag.slug:
        return redirect(tag, permanent=True)
    return _post_list(
        request,
        posts=selectors.posts_public().filter(tags=tag),
        allow_empty=False,  # a tag only drafts or scheduled posts use is not public yet
        count_key=f"tag:{tag.pk}",
        heading=f"#{tag.name}",
        description=f"Posts tagged #{tag.name} on the {settings.CLINIC_NAME} blog.",
        extra={"tag": tag},
    )


@require_GET
def author(request, slug):
    author = get_object_or_404(Author.objects.select_related("therapist"), slug=slug)
    return _post_list(
        request,
        posts=selectors.posts_public().filter(author=author),
        count_key=f"author:{author.pk}",
        heading=f"Articles by {author.profile.name}",
        description=author.profile.bio[:160] or f"Articles by {author.display_name}.",
        extra={"author": author},
    )


@require_GET
def archive(request, year, month):
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        raise Http404("No such month.")
    zone = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=zone)
    last_day = calendar.monthrange(year, month)[1]
    end = datetime(year, month, last_day, 23, 59, 59, 999999, tzinfo=zone)
    return _post_list(
        request,
        posts=selectors.posts_public().filter(publish_at__range=(start, end)),
        count_key=f"archive:{year}-{month}",
        heading=f"Articles from {start:%B %Y}",
        description=f"Everything we published in {start:%B %Y}.",
        extra={"archive_month": start},
    )


def _post_context(post: Post, *, preview: bool) -> dict:
    # Scoring related posts reads every post sharing a tag or category; both they and the posts before and
    # after this one are kept with the blog's cached fragments, read in one round trip.
    computes = {f"related:{post.pk}": lambda: selectors.posts_related(post)}
    if not preview:
        computes[f"neighbours:{post.pk}"] = lambda: selectors.post_neighbours(post)
    links = selectors.blog_cached_many(computes)
    previous_post, next_post = links.get(f"neighbours:{post.pk}", (None, None))
    parts, series_total = selectors.series_parts(post)
    position = next((index for index, part in enumerate(parts) if part.pk == post.pk), None)
    return {
        "post": post,
        "preview": preview,
        "series_parts": parts,
        "series_total": series_total,
        "series_previous": parts[position - 1] if position else None,
        "series_next": parts[position + 1] if position is not None and position + 1 < len(parts) else None,
        "related_posts": links[f"related:{post.pk}"],
        "previous_post": previous_post,
        "next_post": next_post,
        "json_ld": selectors.post_json_ld(post),
        "og_image": selectors.post_image_url(post),
    }


@require_GET
def post_detail(request, slug):
    post = selectors.post_public_by_slug(slug)
    if post is None:
        moved = selectors.post_redirect_target(slug)
        if moved is None:
            raise Http404("No such article.")
        return redirect(moved, permanent=True)
    return render(request, "blog/post_detail.html", _post_context(post, preview=False))


@staff_member_required
@require_GET
def post_preview(request, pk):
    post = selectors.post_for_preview(pk)
    if post is None:
        raise Http404("No such article.")
    response = render(request, "blog/post_detail.html", _post_context(post, preview=True))
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
