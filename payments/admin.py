"""Money in the admin: everything read-only. The ledger is changed only by adding entries through the services."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import CardOnFile, LedgerEntry, ProviderCall, StripeEvent


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
