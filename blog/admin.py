from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.html import format_html

from bookings.interface import therapist_login_ids
from core.admin import InvalidatesPages

from . import services
from .models import Author, Category, Post, PostSlugHistory, Series, Tag


@admin.register(Author)
class AuthorAdmin(InvalidatesPages, admin.ModelAdmin):
    """An author linked to a therapist shows the therapist's profile; its own copies are read-only (see ``Author``)."""

    page_generations = ("blog",)

    list_display = ["shown_name", "shown_credentials", "therapist", "user"]
    list_select_related = ["therapist", "user"]
    search_fields = ["name", "credentials", "therapist__name", "therapist__credentials"]
    prepopulated_fields = {"slug": ["name"]}
    OWN_PROFILE = ["name", "credentials", "bio", "photo"]

    def get_autocomplete_fields(self, request):
        # The search box asks the user admin, which answers only those who may see every account.
        return ["user"] if request.user.has_perm("auth.view_user") else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.has_perm("auth.view_user"):
            # An editor may pick their own login or a therapist's, the accounts a byline can belong to.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(Q(pk=request.user.pk) | Q(pk__in=therapist_login_ids()))
                .order_by("first_name", "last_name", "username")
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda user: f"{user.get_full_name() or user.username} ({user.username})"
            field.help_text = (
                "The staff login that writes as this author; new posts default to it. Left empty for an author "
                "who is a therapist, it becomes the therapist's login."
            )
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.author_write(author=obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None or not obj.therapist_id:
            return [(None, {"fields": ["name", "slug", "credentials", "bio", "photo", "therapist", "user"]})]
        return [
            (None, {"fields": ["shown_profile", "slug", "therapist", "user"]}),
            (
                "The author's own profile (not shown while a therapist is linked)",
                {"fields": self.OWN_PROFILE, "classes": ["collapse"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or not obj.therapist_id:
            return []
        return ["shown_profile", *self.OWN_PROFILE]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.therapist_id else self.prepopulated_fields

    @admin.display(description="name")
    def shown_name(self, author):
        return author.profile.name

    @admin.display(description="credentials")
    def shown_credentials(self, author):
        return author.profile.credentials

    @admin.display(description="shown on the blog")
    def shown_profile(self, author):
        return format_html(
            "{}<br>The blog shows the therapist's profile: <a href=\"{}\">edit it on the therapist's page</a>.",
            author.profile.display_name,
            reverse("admin:bookings_therapist_change", args=[author.therapist_id]),
        )


class PinnedFilter(admin.SimpleListFilter):
    title = "home page"
    parameter_name = "pinned"

    def lookups(self, request, model_admin):
        return [("yes", "Pinned"), ("no", "Not pinned")]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(home_position__isnull=self.value() == "no").order_by("home_position", "-publish_at")
        return queryset


class AuthorFilter(admin.RelatedFieldListFilter):
    """Authors by the name the blog shows, read with their therapists in one query."""

    def field_choices(self, field, request, model_admin):
        return [(author.pk, str(author)) for author in Author.objects.select_related("therapist")]


@admin.register(Category)
class CategoryAdmin(InvalidatesPages, admin.ModelAdmin):
    page_generations = ("blog",)
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(InvalidatesPages, admin.ModelAdmin):
    page_generations = ("blog",)
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request):
        return False


@admin.register(Series)
class SeriesAdmin(InvalidatesPages, admin.ModelAdmin):
    page_generations = ("blog",)
    list_display = ["title", "slug"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(PostSlugHistory)
class PostSlugHistoryAdmin(InvalidatesPages, admin.ModelAdmin):
    page_generations = ("blog",)
    list_display = ["old_slug", "post", "changed_at"]
    search_fields = ["old_slug", "post__title"]
    list_select_related = ["post"]


class PostAdminForm(forms.ModelForm):
    """The post form leaves a slug another post has to ``post_write``, which numbers it (-2, -3 …)."""

    class Meta:
        model = Post
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def validate_unique(self):
        exclude = self._get_validation_exclusions() | {"slug"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)


# The largest number a home page position holds (a small integer on every database).
HOME_POSITION_MAX = 32767


class PostHomePositionForm(forms.ModelForm):
    """A row of the post list: its home page position box is named after the post it orders."""

    class Meta:
        model = Post
        fields = ["home_position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_position"].widget.attrs["aria-label"] = f"Home page position of “{self.instance.title}”"


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostAdminForm
    list_display = ["title", "status_label", "publish_at", "home_position", "author", "category_list", "preview_link"]
    list_editable = ["home_position"]
    list_filter = [
        "status",
        PinnedFilter,
        ("publish_at", admin.DateFieldListFilter),
        "categories",
        ("author", AuthorFilter),
        "series",
    ]
    search_fields = ["title", "body", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories"]
    readonly_fields = ["preview_link", "tag_list", "updated_at"]
    actions = ["publish_now", "unpublish", "pin_to_home", "unpin_from_home"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "status", "publish_at", "preview_link"]}),
        ("Text", {"fields": ["body", "summary"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt"]}),
        ("Filing", {"fields": ["categories", "extra_tags", "tag_list", "series", "series_part"]}),
        ("Home page", {"fields": ["home_position"]}),
        ("Video", {"fields": ["video_url", "video_file", "video_poster"], "classes": ["collapse"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author__therapist").prefetch_related("categories")

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=PostHomePositionForm, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["queryset"] = Author.objects.select_related("therapist")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        author = Author.objects.filter(user=request.user).first()
        if author:
            initial.setdefault("author", author.pk)
        return initial

    @admin.display(description="status", ordering="status")
    def status_label(self, post):
        if post.is_scheduled:
            return "Scheduled"
        return post.get_status_display()

    @admin.display(description="categories")
    def category_list(self, post):
        return ", ".join(category.name for category in post.categories.all())

    @admin.display(description="tags")
    def tag_list(self, post):
        return " ".join(str(tag) for tag in post.tags.all()) or "—"

    @admin.display(description="preview")
    def preview_link(self, post):
        if not post.pk:
            return "Save the post to preview it."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview</a>', reverse("blog:preview", args=[post.pk])
        )

    def save_model(self, request, obj, form, change):
        asked = form.cleaned_data.get("slug")  # None from the post list, which edits only the home page position
        services.post_write(post=obj)
        if asked is not None and obj.slug != asked:
            reason = f"“{asked}” is another post's address, so this" if asked else "The slug was left empty, so this"
            self.message_user(
                request,
                f"{reason} post's address is {obj.get_absolute_url()} (slug “{obj.slug}”).",
                messages.WARNING if asked else messages.INFO,
            )

    def delete_model(self, request, obj):
        services.post_delete(post=obj)

    def delete_queryset(self, request, queryset):
        for post in queryset:
            services.post_delete(post=post)

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        for post in queryset:
            services.post_publish(post=post)
        self.message_user(request, f"Published {len(queryset)} post(s).", messages.SUCCESS)

    @admin.action(description="Pin to the home page (after the pinned ones)", permissions=["change"])
    def pin_to_home(self, request, queryset):
        unpinned = list(queryset.filter(home_position__isnull=True).order_by("-publish_at"))
        last = Post.objects.aggregate(last=Max("home_position"))["last"] or 0
        if last + len(unpinned) > HOME_POSITION_MAX:  # a typed 32767 leaves no number after it: renumber 1, 2, …
            pinned = Post.objects.filter(home_position__isnull=False).order_by("home_position", "-publish_at")
            for last, post in enumerate(pinned, 1):
                post.home_position = last
                services.post_write(post=post)
        for position, post in enumerate(unpinned, last + 1):
            post.home_position = position
            services.post_write(post=post)
        self.message_user(
            request,
            "Pinned. The home page shows the first three public pinned posts: change the numbers in the "
            "“home page position” column to reorder them.",
            messages.SUCCESS,
        )

    @admin.action(description="Unpin from the home page", permissions=["change"])
    def unpin_from_home(self, request, queryset):
        for post in queryset.filter(home_position__isnull=False):
            post.home_position = None
            services.post_write(post=post)
        self.message_user(request, "Unpinned.", messages.SUCCESS)

    @admin.action(description="Move back to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        for post in queryset:
            services.post_unpublish(post=post)
        self.message_user(request, f"{len(queryset)} post(s) are drafts again.", messages.SUCCESS)
