"""Writes for the blog. The admin, the demo seed and tests all save posts through ``post_write``."""

import io
from collections import Counter

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from core.httpcache import pages_changed

from . import markup
from .models import Post, PostSlugHistory, PostTag, Tag
from .selectors import blog_cache_forget

HERO_WIDTHS = (480, 960, 1600)


@transaction.atomic
def post_write(*, post: Post) -> Post:
    """Save a post and everything derived from it: rendered body, tags, old addresses and hero sizes.

    Rendering happens on every save, so the cached HTML can never be older than the text. A draft
    published with its publish time left as it was goes out now (see ``_is_just_published``).
    """
    previous = (
        Post.objects.filter(pk=post.pk).values("slug", "hero_image", "status", "publish_at").first()
        if post.pk
        else None
    )
    if previous and _is_just_published(post, previous):
        post.publish_at = timezone.now()
    rendered = markup.render(post.body)
    post.body_html = rendered.html
    post.body_excerpt = rendered.excerpt
    hero_changed = previous is None or previous["hero_image"] != post.hero_image.name
    post.save()
    if hero_changed or bool(post.hero_image) != bool(post.hero_variants):
        for variant in post.hero_variants:
            default_storage.delete(variant["name"])
        post.hero_variants = _hero_variants_build(post) if post.hero_image else []
        Post.objects.filter(pk=post.pk).update(hero_variants=post.hero_variants)
    if previous and previous["slug"] != post.slug:
        PostSlugHistory.objects.update_or_create(old_slug=previous["slug"], defaults={"post": post})
    PostSlugHistory.objects.filter(old_slug=post.slug).delete()
    post_tags_sync(post=post, text_tags=rendered.tags)
    blog_cache_forget()
    pages_changed("blog")
    return post


def _is_just_published(post: Post, previous: dict) -> bool:
    """Whether a draft is being published with the publish time it already had (when it was started).

    Such a post goes out now: dated today, on top of the list, in the next newsletter. A time the
    editor chose, past or future, is kept. The edit form shows whole seconds, so a time left as it
    was comes back without its microseconds; both sides are compared to the second.
    """
    return (
        previous["status"] != Post.Status.PUBLISHED
        and post.status == Post.Status.PUBLISHED
        and post.publish_at.replace(microsecond=0) == previous["publish_at"].replace(microsecond=0)
        and post.publish_at <= timezone.now()
    )


def post_delete(*, post: Post) -> None:
    post.delete()
    blog_cache_forget()
    pages_changed("blog")


def post_publish(*, post: Post, publish_at=None) -> Post:
    """Publish now, or at ``publish_at`` (a future time schedules the post)."""
    post.status = Post.Status.PUBLISHED
    post.publish_at = publish_at or timezone.now()
    return post_write(post=post)


def post_unpublish(*, post: Post) -> Post:
    post.status = Post.Status.DRAFT
    return post_write(post=post)


def post_tags_sync(*, post: Post, text_tags: dict[str, Counter] | None = None) -> None:
    """Make the post's tags exactly its #hashtags plus its hand-added tags, and refresh display spellings."""
    if text_tags is None:
        text_tags = markup.render(post.body).tags
    wanted: dict[str, Counter] = {slug: Counter(counts) for slug, counts in text_tags.items()}
    for spelling in markup.split_extra_tags(post.extra_tags):
        counts = wanted.setdefault(spelling.lower(), Counter())
        if not counts:
            counts[spelling] = 1
    old_slugs = set(post.post_tags.values_list("tag__slug", flat=True))
    tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)}
    for slug, counts in wanted.items():
        if slug not in tags:
            tags[slug] = Tag.objects.create(slug=slug, name=counts.most_common(1)[0][0])
    PostTag.objects.filter(post=post).exclude(tag__slug__in=wanted).delete()
    for slug, counts in wanted.items():
        spelling, _ = counts.most_common(1)[0]
        PostTag.objects.update_or_create(
            post=post, tag=tags[slug], defaults={"spelling": spelling, "uses": max(1, sum(counts.values()))}
        )
    tag_spellings_refresh(slugs=old_slugs | set(wanted))


def tag_spellings_refresh(*, slugs: set[str]) -> None:
    """Show each tag in the spelling its posts use most (#Bostonmarathon vs #bostonmarathon).

    Drafts count only for a tag no published post uses yet (it is shown nowhere public), so a
    spelling in an unfinished draft never changes what visitors see.
    """
    totals: dict[str, Counter] = {}
    published: dict[str, Counter] = {}
    for slug, spelling, uses, status in PostTag.objects.filter(tag__slug__in=slugs).values_list(
        "tag__slug", "spelling", "uses", "post__status"
    ):
        totals.setdefault(slug, Counter())[spelling] += uses
        if status == Post.Status.PUBLISHED:
            published.setdefault(slug, Counter())[spelling] += uses
    totals.update(published)
    for tag in Tag.objects.filter(slug__in=totals):
        best = max(sorted(totals[tag.slug]), key=lambda spelling: totals[tag.slug][spelling])
        if tag.name != best:
            tag.name = best
            tag.save(update_fields=["name"])


def _hero_variants_build(post: Post) -> list[dict]:
    """Resized WebP copies of the hero image (never wider than the original), for ``srcset``."""
    try:
        post.hero_image.open("rb")
        post.hero_image.seek(0)
        with Image.open(post.hero_image) as original:
            image = ImageOps.exif_transpose(original).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        return []
    stem = post.hero_image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    widths = [width for width in HERO_WIDTHS if width < image.width] + [min(image.width, HERO_WIDTHS[-1])]
    variants = []
    for width in sorted(set(widths)):
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, format="WEBP", quality=80, method=4)
        name = default_storage.save(f"blog/hero/variants/{stem}-{width}w.webp", ContentFile(buffer.getvalue()))
        variants.append({"name": name, "width": width, "height": height})
    return variants
