from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Entry, Offer, WaitlistPolicy


@admin.register(WaitlistPolicy)
class WaitlistPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "hold_minutes", "strategy", "everyone_within_hours", "max_offers_per_day"]

    def has_add_permission(self, request):
        return not WaitlistPolicy.objects.exists() and super().has_add_permission(request)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Entries change only through the waitlist services (the client's link, the desk)."""

    list_display = ["name", "service", "therapist", "earliest_on", "latest_on", "state", "joined_at"]
    list_filter = ["state"]
    date_hierarchy = "earliest_on"


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entry", "therapist", "starts_at", "state", "offered_at", "expires_at", "by_staff"]
    list_filter = ["state", "by_staff"]
    exclude = ["key"]
