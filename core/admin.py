"""Admin pieces every app may use, and the outbox's own read-only view."""

from django.contrib.admin import ModelAdmin, site

from .httpcache import pages_changed
from .models import OutgoingEmail


class ReadOnlyAdminMixin:
    """For records the site writes and staff only inspect: no adding, editing or deleting in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvalidatesPages:
    """For content public pages show: every save or delete in the admin makes those pages render afresh.

    ``page_generations`` names the apps whose pages change (``core.httpcache.pages_changed``), once the
    object is saved and again once its inlines and many-to-many fields are.
    """

    page_generations: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pages_changed(*self.page_generations)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pages_changed(*self.page_generations)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pages_changed(*self.page_generations)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pages_changed(*self.page_generations)


class OutgoingEmailAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Delivery state of every email the site promised to send; read-only, for spotting failures."""

    list_display = ["created_at", "subject", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["reference", "subject"]
    fields = [
        "reference",
        "subject",
        "recipients",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "sent_at",
        "last_error",
        "created_at",
    ]
    readonly_fields = fields


site.register(OutgoingEmail, OutgoingEmailAdmin)
