"""Money in the admin: everything read-only. The ledger is changed only by adding entries through the services."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import CardOnFile, LedgerEntry, ProviderCall, StripeEvent
from .prepaid_models import GiftCard, Package, PackagePurchase


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "amount", "currency", "method", "appointment", "client", "actor_name")
    list_filter = ("kind", "method")
    list_select_related = ("appointment__service", "appointment__therapist", "client")
    search_fields = ("stripe_id", "idempotency_key")
    date_hierarchy = "created_at"
    raw_id_fields = ("appointment", "client", "reverses", "actor")


@admin.register(ProviderCall)
class ProviderCallAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "purpose", "amount", "status", "stripe_id", "error")
    list_filter = ("purpose", "status")
    search_fields = ("stripe_id", "idempotency_key")
    raw_id_fields = ("appointment", "client")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "type", "event_id", "object_id", "processed_at", "outcome")
    list_filter = ("type",)
    search_fields = ("event_id", "object_id")


@admin.register(CardOnFile)
class CardOnFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "client", "brand", "last4")
    raw_id_fields = ("client", "appointment")


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    """What staff sell: the sessions, the services a credit pays for, the price in minor units, the validity."""

    list_display = ("name", "sessions", "price_display", "valid_days", "is_active", "position")
    list_editable = ("is_active", "position")
    filter_horizontal = ("services",)

    @admin.display(description="price")
    def price_display(self, package):
        return package.price_display


@admin.register(PackagePurchase)
class PackagePurchaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bought packages, read-only: credits change only through bookings (payments.packages)."""

    list_display = ("created_at", "package", "name", "status", "credits_used", "sessions", "method", "expires_at")
    list_filter = ("status", "method", "package")
    list_select_related = ("package",)
    search_fields = ("name", "email", "lookup")
    exclude = ("code",)
    raw_id_fields = ("client", "sold_by")


@admin.register(GiftCard)
class GiftCardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Gift cards, read-only and without their codes (only the recipient's email carries one)."""

    list_display = ("created_at", "amount", "balance", "status", "recipient_name", "deliver_on", "delivered_at")
    list_filter = ("status", "method")
    search_fields = ("purchaser_name", "purchaser_email", "recipient_name", "recipient_email", "lookup")
    exclude = ("code",)
    raw_id_fields = ("sold_by",)
