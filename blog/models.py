"""The blog: authors, categories, tags, series and posts.

A post is public when ``status`` is published and ``publish_at`` has passed, so a
post scheduled for later appears on its own when the time comes, with no cron job.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from bookings.interface import BookingInvite, therapist_booking_invite, therapist_profile
from core.markdown import Video, parse_video_url, video_facade_html
from core.reversing import reverse_slug
from core.uploads import VideoUploadTo, validate_video_upload

RESERVED_SLUGS = frozenset({"feed", "category", "tag", "author", "preview", "search"})


def validate_post_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by another blog page; pick another slug.")


OWN_PROFILE_HELP = "Shown only while no therapist is linked: a therapist's own profile is shown instead."


@dataclass(frozen=True)
class AuthorProfile:
    """The name, credentials, bio and photo the blog shows for an author."""

    name: str
    credentials: str
    bio: str
    photo_url: str

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Author(models.Model):
    """A byline on the blog.

    A person who is both an author and one of our therapists has one profile, the therapist's: when
    ``therapist`` is set, every blog page, feed and JSON-LD shows the therapist's name, credentials,
    bio and photo (``profile``), so a change made on the therapist's page shows everywhere at once.
    The author's own ``name``, ``credentials``, ``bio`` and ``photo`` are the profile of an author who
    is not a therapist; for a therapist they are kept, untouched and read-only in the admin, and
    come back into use if the link is removed. Nothing copies one profile into the other on save;
    migration 0004 once filled a linked therapist's empty fields from the author's copies, so no text
    or photo anyone had entered stopped being shown.
    """

    name = models.CharField(max_length=120, help_text=OWN_PROFILE_HELP)
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in the author page URL.")
    credentials = models.CharField(
        max_length=120, blank=True, help_text=f'Shown after the name, e.g. "LMT, E-RYT 500". {OWN_PROFILE_HELP}'
    )
    bio = models.TextField(blank=True, help_text=OWN_PROFILE_HELP)
    photo = models.ImageField(upload_to="blog/authors/", blank=True, help_text=OWN_PROFILE_HELP)
    therapist = models.OneToOneField(
        "bookings.Therapist",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blog_author",
        help_text="When the author is one of our therapists, the blog shows the therapist's profile and posts invite readers to book with them.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blog_author",
        help_text="The staff login that writes as this author; new posts default to it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.profile.name

    def get_absolute_url(self):
        return reverse_slug("blog:author", self.slug)

    @cached_property
    def profile(self) -> AuthorProfile:
        """The profile the blog shows: the linked therapist's, else the author's own."""
        if self.therapist_id:
            therapist = therapist_profile(self.therapist)
            return AuthorProfile(
                name=therapist.name,
                credentials=therapist.credentials,
                bio=therapist.bio,
                photo_url=therapist.photo_url,
            )
        return AuthorProfile(
            name=self.name,
            credentials=self.credentials,
            bio=self.bio,
            photo_url=self.photo.url if self.photo else "",
        )

    @property
    def display_name(self) -> str:
        return self.profile.display_name

    @cached_property
    def booking_invite(self) -> BookingInvite | None:
        """Where readers book with this author, when the author is a therapist taking online bookings."""
        return therapist_booking_invite(self.therapist)


class Category(models.Model):
    FEATURED_SLUG = "featured"

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80, unique=True, help_text='Posts in the "featured" category go on the home page.'
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("blog:category", self.slug)


class Tag(models.Model):
    slug = models.CharField(
        max_length=60, unique=True, help_text="Lower-case form of the tag; #Running and #running share it."
    )
    name = models.CharField(max_length=60, help_text="The spelling shown on the site: the one posts use most.")

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(condition=Q(slug=models.functions.Lower("slug")), name="blog_tag_slug_lowercase")
        ]

    def __str__(self):
        return f"#{self.name}"

    def get_absolute_url(self):
        return reverse_slug("blog:tag", self.slug)


class Series(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.title


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts the public may see: published, with a publish time that has passed."""
        return self.filter(status=Post.Status.PUBLISHED, publish_at__lte=timezone.now())

    def for_lists(self):
        """Posts as cards and links show them: with author and series, without the article itself."""
        return (
            self.select_related("author__therapist", "series").defer("body", "body_html").order_by("-publish_at", "-pk")
        )


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        validators=[validate_post_slug],
        help_text=(
            "The address of the post; left empty, it is made from the title. An address another post has "
            "gets a number added (-2, -3 …). Changing it later keeps the old address working."
        ),
    )
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="posts")
    body = models.TextField(
        help_text="Markdown. #hashtags become tags; a YouTube or Vimeo link on its own line becomes a video."
    )
    summary = models.TextField(
        "excerpt", blank=True, max_length=500, help_text="Shown in lists and feeds. Leave empty to use the first words."
    )
    body_html = models.TextField(editable=False, blank=True)
    body_excerpt = models.TextField(editable=False, blank=True)
    excerpt_html = models.TextField(
        editable=False, blank=True, help_text="The excerpt for cards, with the post's own #hashtags linked."
    )
    hero_image = models.ImageField(
        upload_to="blog/hero/", blank=True, width_field="hero_width", height_field="hero_height"
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_alt = models.CharField(
        "hero image alt text", max_length=250, blank=True, help_text="Describe the image for people who cannot see it."
    )
    hero_variants = models.JSONField(default=list, blank=True, editable=False)
    categories = models.ManyToManyField(Category, related_name="posts", blank=True)
    tags = models.ManyToManyField(Tag, through="PostTag", related_name="posts", blank=True)
    extra_tags = models.CharField(
        max_length=300,
        blank=True,
        help_text="Tags to add besides the #hashtags in the text, separated by commas or spaces.",
    )
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    series_part = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    video_url = models.URLField(
        "video link", blank=True, help_text="A YouTube or Vimeo link; it loads only when the reader presses play."
    )
    video_file = models.FileField(
        upload_to=VideoUploadTo("blog/video", field_name="video_file"),
        blank=True,
        validators=[validate_video_upload],
        help_text="Or upload a video file (MP4 or WebM).",
    )
    video_poster = models.ImageField(
        upload_to="blog/video/", blank=True, help_text="Still image shown before the video plays."
    )
    home_position = models.PositiveSmallIntegerField(
        "home page position",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=(
            "A number pins the post to the Featured block of the home page and the blog, whatever its date: "
            "lower numbers come first, and the first three public posts are shown. Empty: the newest posts in "
            "the “Featured” category fill the block."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time", default=timezone.now, help_text="A time in the future schedules the post."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="blog_post_status_publish"),
            # The few pinned posts, found without reading the archive (blog.selectors.posts_featured).
            models.Index(fields=["home_position"], condition=Q(home_position__isnull=False), name="blog_post_pinned"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hero_image="") | ~Q(hero_alt=""), name="blog_post_hero_has_alt"),
            models.CheckConstraint(
                condition=Q(series__isnull=True, series_part__isnull=True)
                | Q(series__isnull=False, series_part__isnull=False),
                name="blog_post_series_has_part",
            ),
            models.UniqueConstraint(fields=["series", "series_part"], name="blog_post_unique_series_part"),
            models.CheckConstraint(
                condition=Q(home_position__isnull=True) | Q(home_position__gte=1),
                name="blog_post_home_position_positive",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_slug("blog:post", self.slug)

    def clean(self):
        errors = {}
        if self.hero_image and not self.hero_alt.strip():
            errors["hero_alt"] = "Describe the hero image: alt text is required when an image is set."
        if self.series_id and not self.series_part:
            errors["series_part"] = "Give the part number of this post in its series."
        if self.series_part and not self.series_id:
            errors["series"] = "Pick the series this part belongs to."
        if errors:
            raise ValidationError(errors)

    @property
    def excerpt(self) -> str:
        return self.summary or self.body_excerpt

    @property
    def tags_as_written(self) -> list["PostTag"]:
        """The post's tags as this post spells them (``PostTag.spelling``), by slug.

        ``Tag.name`` is the spelling most posts use, right for tag pages and lists of tags; on the post
        itself a reader sees the tag as its author wrote it. Read from ``own_tags`` when the selector
        prefetched it.
        """
        if not hasattr(self, "own_tags"):
            self.own_tags = list(self.post_tags.select_related("tag").order_by("tag__slug"))
        return self.own_tags

    @property
    def series_label(self) -> str:
        """ "Part 2 of Healing the stride": what tells apart two parts that share a title, wherever a post is listed."""
        return f"Part {self.series_part} of {self.series.title}" if self.series_id else ""

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def featured(self) -> bool:
        return any(category.slug == Category.FEATURED_SLUG for category in self.categories.all())

    @property
    def video(self) -> Video | None:
        return parse_video_url(self.video_url) if self.video_url else None

    def video_facade(self) -> SafeString:
        """The click-to-load player for ``video_url``; every value in it is escaped by ``video_facade_html``."""
        poster = self.video_poster.url if self.video_poster else ""
        return mark_safe(video_facade_html(self.video, poster_url=poster, title=self.title))  # noqa: S308

    def hero_sources(self) -> list[dict]:
        """The resized copies of the hero image, narrowest first, with their URLs."""
        return [{**variant, "url": default_storage.url(variant["name"])} for variant in self.hero_variants]

    @property
    def hero_srcset(self) -> str:
        return ", ".join(f"{source['url']} {source['width']}w" for source in self.hero_sources())

    @property
    def hero_default(self) -> dict | None:
        """The variant for ``src`` and og:image: the largest up to 960 px wide."""
        sources = self.hero_sources()
        if not sources:
            return None
        fitting = [source for source in sources if source["width"] <= 960]
        return (fitting or sources)[-1]


class PostTag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="post_tags")
    spelling = models.CharField(max_length=60, help_text="How this post spells the tag.")
    uses = models.PositiveSmallIntegerField(default=1, help_text="How many times the post uses the tag.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "tag"], name="blog_posttag_unique")]

    def __str__(self):
        return f"{self.post} – {self.tag}"


class PostSlugHistory(models.Model):
    """An address a post used to have; requests for it are permanently redirected."""

    old_slug = models.SlugField(max_length=200, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="slug_history")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "post slug history"

    def __str__(self):
        return f"{self.old_slug} → {self.post.slug}"
