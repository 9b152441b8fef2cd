import calendar
from datetime import datetime

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import fragments, postpage, selectors
from .models import Post

PER_PAGE = 10


def _page_number(value: str | None) -> int | None:
    """``?page=`` as the paginator reads it ("", "1", "01" are page 1), or None when it is no whole number."""
    try:
        return int(value or "1")
    except ValueError:
        return None


def _post_list(request, *, posts, count_key, heading, description, extra=None, allow_empty=True, featured=False):
    """A page of ``posts()`` (a queryset, built only when the cache lacks what the page shows) with the sidebar.

    ``count_key`` names the list for the blog's cache (None for a search, which is never cached): its count and
    each page's posts are kept with the cached fragments, read in one round trip with the sidebar.
    ``featured``: the featured posts stand on top of page 1 and are left out of every page's list, so the
    pages count through the same list and no post appears twice. ``allow_empty=False`` makes a list with no
    posts at all a 404.
    """
    number = _page_number(request.GET.get("page"))
    if number is None:
        raise Http404("There is no such page of articles.")
    computes = {"sidebar": selectors.blog_sidebar_html}
    if featured:
        computes["featured"] = lambda: _with_cards(selectors.posts_featured())
    if count_key is not None:
        computes[f"count:{count_key}"] = lambda: posts().count()
        # Only a page that exists is ever kept (see below), so asking for page 10,000 stores nothing.
        computes[f"page:{count_key}:{number}"] = lambda: None
    found = fragments.blog_cached_many(computes)
    featured_ids, featured_cards = found.get("featured") or ([], "")

    def listed_posts():
        # Every featured post is one of ``posts`` (posts_featured picks from the public posts), so the list
        # without them is exactly that many shorter.
        return posts().exclude(pk__in=featured_ids) if featured_ids else posts()

    paginator = Paginator(listed_posts() if count_key is None else [], PER_PAGE, allow_empty_first_page=allow_empty)
    if count_key is not None:
        paginator.count = found[f"count:{count_key}"] - len(featured_ids)
    try:
        number = paginator.validate_number(number)
    except InvalidPage as error:
        raise Http404("There is no such page of articles.") from error
    listed = found.get(f"page:{count_key}:{number}")
    if listed is None:
        paginator.object_list = listed_posts()
        listed = _with_cards(list(paginator.page(number).object_list))
        if count_key is not None:
            fragments.blog_cached(f"page:{count_key}:{number}", lambda: listed)
    post_ids, cards = listed
    context = {
        "page_obj": Page(post_ids, number, paginator),
        "cards": cards,
        "heading": heading,
        "description": description,
        "sidebar_lists": found["sidebar"],
        **(extra or {}),
    }
    if featured and number == 1:
        context["featured_cards"] = featured_cards
    return render(request, "blog/post_list.html", context)


def _with_cards(posts: list) -> tuple[list[int], str]:
    """The posts' ids and their cards, rendered: what a list page shows of them, to keep in the blog's cache."""
    return [post.pk for post in posts], selectors.post_cards_html(posts)


@require_GET
def index(request):
    raw_query = request.GET.get("q", "")
    if raw_query.strip():
        query, truncated = selectors.clean_search_query(raw_query)
        return _post_list(
            request,
            posts=(lambda: selectors.posts_search(query)) if query else Post.objects.none,
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
        posts=selectors.posts_public,
        count_key="public",
        heading="Blog",
        description=f"Long reads and quick tips on massage, recovery and moving well from the therapists at {settings.CLINIC_NAME}.",
        extra={"is_index": True},
        featured=True,
    )


@require_GET
def category(request, slug):
    category = selectors.category_by_slug(slug)
    if category is None:
        raise Http404("No such category.")
    return _post_list(
        request,
        posts=lambda: selectors.posts_public().filter(categories=category),
        count_key=f"category:{category.pk}",
        heading=category.name,
        description=category.description or f"Articles in {category.name} on the {settings.CLINIC_NAME} blog.",
        extra={"category": category},
    )


@require_GET
def tag(request, slug):
    tag = selectors.tag_by_slug(slug)
    if tag is None:
        raise Http404("No such tag.")
    if slug != tag.slug:
        return redirect(tag, permanent=True)
    return _post_list(
        request,
        posts=lambda: selectors.posts_public().filter(tags=tag),
        allow_empty=False,  # a tag only drafts or scheduled posts use is not public yet
        count_key=f"tag:{tag.pk}",
        heading=f"#{tag.name}",
        description=f"Posts tagged #{tag.name} on the {settings.CLINIC_NAME} blog.",
        extra={"tag": tag},
    )


@require_GET
def author(request, slug):
    author = selectors.author_by_slug(slug)
    if author is None:
        raise Http404("No such author.")
    return _post_list(
        request,
        posts=lambda: selectors.posts_public().filter(author=author),
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
        posts=lambda: selectors.posts_public().filter(publish_at__range=(start, end)),
        count_key=f"archive:{year}-{month}",
        heading=f"Articles from {start:%B %Y}",
        description=f"Everything we published in {start:%B %Y}.",
        extra={"archive_month": start},
    )


@require_GET
def post_detail(request, slug):
    page = postpage.post_page_public(slug)
    if page is None:
        moved = selectors.post_redirect_target(slug)
        if moved is None:
            raise Http404("No such article.")
        return redirect(moved, permanent=True)
    return render(request, "blog/post_detail.html", {**page, "preview": False})


@staff_member_required
@require_GET
def post_preview(request, pk):
    post = selectors.post_for_preview(pk)
    if post is None:
        raise Http404("No such article.")
    response = render(
        request, "blog/post_detail.html", {**postpage.post_page_build(post, preview=True), "preview": True}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
