"""Admin pieces every app may use, and the outbox's own read-only view."""

from django.contrib.admin import ModelAdmin, site

from .models import OutgoingEmail


class ReadOnlyAdminMixin:
    """For records the site writes and staff only inspect: no adding, editing or deleting in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
