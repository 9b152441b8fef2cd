"""Admin pieces every app may use, and the outbox's own read-only view."""

from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin, SimpleListFilter, site

from .httpcache import pages_changed
from .mailrenderers import renderer_kinds
from .models import OutgoingEmail
from .outbox import emails_retry_now


class ReadOnlyAdminMixin:
    """For records the site writes and staff only inspect: no adding, editing or deleting in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KindFilter(SimpleListFilter):
    """The kinds come from the renderer registry, not from a DISTINCT over every email ever queued."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("-", "Stored message (bookings, confirmations, tests)"), *((kind, kind) for kind in renderer_kinds())]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(kind="" if self.value() == "-" else self.value())


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
    """Delivery state of every email the site sends, bulk mail included; read-only, for spotting failures.

    Filter by kind to see one sort (``newsletter.issue``, or blank for booking and account mail);
    search by reference (``newsletter issue 42``) to see one issue's failures.
    """

    list_display = ["created_at", "subject", "kind", "state", "attempts", "next_attempt_at", "sent_at", "last_error"]
    actions = ["retry_now"]
    list_filter = ["status", KindFilter]
    search_fields = ["reference", "subject"]
    fields = [
        "reference",
        "kind",
        "object_id",
        "stream",
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
    show_full_result_count = False

    @admin.display(description="State", ordering="status")
    def state(self, email: OutgoingEmail) -> str:
        if email.status == OutgoingEmail.Status.PENDING and email.attempts:
            return f"Waiting for the mail server (tried {email.attempts} time{'s' if email.attempts > 1 else ''})"
        return email.get_status_display()

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("core.change_outgoingemail")

    @admin.action(description="Try the selected emails again now", permissions=["retry"])
    def retry_now(self, request, queryset):
        retried = emails_retry_now(email_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - retried
        message = f"{retried} email(s) will be tried again now."
        if skipped:
            message += (
                f" {skipped} were left as they are: sent, being sent, or part of a newsletter issue (resume the issue)."
            )
        self.message_user(request, message, messages.SUCCESS if retried else messages.WARNING)


site.register(OutgoingEmail, OutgoingEmailAdmin)
