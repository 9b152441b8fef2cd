"""Writes for the blog. The admin, the demo seed and tests all save posts through ``post_write``."""

import io
from collections import Counter

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

from bookings.interface import therapist_login_id
from core.httpcache import pages_changed

from . import markup
from .models import RESERVED_SLUGS, Author, Post, PostSlugHistory, PostTag, Tag

HERO_WIDTHS = (480, 960, 1600)
SLUG_MAX_LENGTH = Post._meta.get_field("slug").max_length
SLUG_TRIES = 10


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
    tag_slugs = set(rendered.tags) | {spelling.lower() for spelling in markup.split_extra_tags(post.extra_tags)}
    post.excerpt_html = markup.excerpt_linked(post.excerpt, slugs=tag_slugs)
    hero_changed = previous is None or previous["hero_image"] != post.hero_image.name
    _save_with_free_slug(post)
    if hero_changed or bool(post.hero_image) != bool(post.hero_variants):
        for variant in post.hero_variants:
            default_storage.delete(variant["name"])
        post.hero_variants = _hero_variants_build(post) if post.hero_image else []
        Post.objects.filter(pk=post.pk).update(hero_variants=post.hero_variants)
    if previous and previous["slug"] != post.slug:
        PostSlugHistory.objects.update_or_create(old_slug=previous["slug"], defaults={"post": post})
    PostSlugHistory.objects.filter(old_slug=post.slug).delete()
    post_tags_sync(post=post, text_tags=rendered.tags)
    pages_changed("blog")  # the pages and the blog's cached fragments
    return post


def _save_with_free_slug(post: Post) -> None:
    """Save the post under its slug, or the first of slug-2, slug-3 … that no other post has.

    An empty slug is made from the title. The unique index stays the judge: a post saved by someone
    else between the look-up and the save makes this save fail, and the next free number is tried.
    """
    base = post.slug or slugify(post.title).strip("-")[:SLUG_MAX_LENGTH] or "post"
    for _ in range(SLUG_TRIES):
        post.slug = _slug_free(base, taken=_slugs_taken(base, exclude_pk=post.pk))
        try:
            with transaction.atomic():
                post.save()
            return
        except IntegrityError:
            if not Post.objects.filter(slug=post.slug).exclude(pk=post.pk).exists():
                raise  # another rule was broken, not the slug's
    raise IntegrityError(f"No free address near “{base}” after {SLUG_TRIES} tries.")


def _slugs_taken(base: str, *, exclude_pk: int | None) -> set[str]:
    """The slugs of other posts that ``base`` or a numbered form of it could run into."""
    others = Post.objects.exclude(pk=exclude_pk) if exclude_pk else Post.objects.all()
    return set(others.filter(slug__startswith=base[: SLUG_MAX_LENGTH - 10]).values_list("slug", flat=True))


def _slug_free(base: str, *, taken: set[str]) -> str:
    if base not in taken and base not in RESERVED_SLUGS:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


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


def author_write(*, author: Author) -> Author:
    """Save an author. An author linked to a therapist and to no login writes as the therapist's login
    (so the therapist's new posts are theirs by default), unless that login already writes as another author."""
    login_id = therapist_login_id(author.therapist) if author.therapist_id else None
    if not author.user_id and login_id and not Author.objects.filter(user_id=login_id).exclude(pk=author.pk).exists():
        author.user_id = login_id
    author.save()
    pages_changed("blog")  # the cached featured and related posts carry their author's profile
    return author


def post_delete(*, post: Post) -> None:
    post.delete()
    pages_changed("blog")  # the pages and the blog's cached fragments


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
            # get_or_create: a post saved at the same moment may bring the same new tag.
            tags[slug], _ = Tag.objects.get_or_create(slug=slug, defaults={"name": counts.most_common(1)[0][0]})
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
