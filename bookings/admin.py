from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.admin import InvalidatesPages
from core.clinictime import clinic_when
from core.money import payments_enabled

from .access import intake_visible_to, is_front_desk
from .availability import slot_find
from .forms import staff_day_check
from .freed import closure_removed_announce, time_off_removed_announce, working_hours_announce
from .models import (
    HEALTH_FIELDS,
    Appointment,
    BookingPolicy,
    Closure,
    Room,
    Service,
    Therapist,
    TimeOff,
    WorkingHours,
)
from .moves import appointment_reschedule
from .payment_fields import PAYMENT_TERM_FIELDS
from .refusals import BookingError, start_refusal
from .services import ClientDetails, appointment_book, appointment_details_update, therapist_feed_key_rotate
from .status_changes import appointment_cancel, appointment_status_set


@admin.register(Room)
class RoomAdmin(InvalidatesPages, admin.ModelAdmin):
    page_generations = ("bookings",)
    list_display = ["name", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


class PaymentTermsHiddenWithoutPayments:
    """The payment rule fields appear only once the clinic has Stripe keys (core.money.payments_enabled)."""

    payment_fields = PAYMENT_TERM_FIELDS

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded if payments_enabled() else [*excluded, *self.payment_fields]


@admin.register(Service)
class ServiceAdmin(PaymentTermsHiddenWithoutPayments, InvalidatesPages, admin.ModelAdmin):
    page_generations = ("bookings",)
    list_display = ["name", "duration_minutes", "cleanup_minutes", "price", "is_active"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["rooms"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    verbose_name_plural = "Working hours (clinic wall-clock time; add several rows for a split day)"


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    verbose_name_plural = "Time off (no bookings are offered inside these ranges)"


@admin.register(Therapist)
class TherapistAdmin(InvalidatesPages, admin.ModelAdmin):
    page_generations = ("bookings", "blog")  # a therapist who writes is a blog author too
    list_display = ["name", "credentials", "is_bookable_online", "is_active"]
    list_filter = ["is_bookable_online", "is_active"]
    search_fields = ["name", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["services"]
    autocomplete_fields = ["user"]
    inlines = [WorkingHoursInline, TimeOffInline]
    actions = ["revoke_calendar_feed"]

    def save_formset(self, request, form, formset, change):
        """Saves the inlines, then announces the time their change frees (bookings.freed)."""
        if formset.model is TimeOff:
            given_up = [
                (inline.instance.therapist_id, inline.initial["starts_at"], inline.initial["ends_at"])
                for inline in formset.initial_forms
                if inline.instance.pk and (inline in formset.deleted_forms or inline.has_changed())
            ]
            super().save_formset(request, form, formset, change)
            for therapist_id, starts_at, ends_at in given_up:
                time_off_removed_announce(therapist_id=therapist_id, starts_at=starts_at, ends_at=ends_at)
            return
        super().save_formset(request, form, formset, change)
        if formset.model is WorkingHours:
            for hours in [*formset.new_objects, *(changed for changed, _ in formset.changed_objects)]:
                working_hours_announce(hours=hours)

    @admin.action(description="Give the selected therapists' calendar feeds a new secret address")
    def revoke_calendar_feed(self, request, queryset):
        for therapist in queryset:
            therapist_feed_key_rotate(therapist=therapist)
        self.message_user(request, "The old calendar feed addresses no longer work.")


@admin.register(Closure)
class ClosureAdmin(InvalidatesPages, admin.ModelAdmin):
    page_generations = ("bookings",)
    list_display = ["reason", "starts_on", "ends_on"]
    date_hierarchy = "starts_on"

    # Removing or shortening a closure frees its days' working hours (bookings.freed).
    def save_model(self, request, obj, form, change):
        before = Closure.objects.filter(pk=obj.pk).values_list("starts_on", "ends_on").first() if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            closure_removed_announce(starts_on=before[0], ends_on=before[1])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        closure_removed_announce(starts_on=obj.starts_on, ends_on=obj.ends_on)

    def delete_queryset(self, request, queryset):
        removed = list(queryset.values_list("starts_on", "ends_on"))
        super().delete_queryset(request, queryset)
        for starts_on, ends_on in removed:
            closure_removed_announce(starts_on=starts_on, ends_on=ends_on)


@admin.register(BookingPolicy)
class BookingPolicyAdmin(PaymentTermsHiddenWithoutPayments, InvalidatesPages, admin.ModelAdmin):
    page_generations = ("bookings",)
    payment_fields = (*PAYMENT_TERM_FIELDS, "refund_as_credit")
    list_display = ["__str__", "min_notice_minutes", "max_advance_days", "slot_step_minutes", "cancel_cutoff_hours"]

    def has_add_permission(self, request):
        return not BookingPolicy.objects.exists() and super().has_add_permission(request)


CLIENT_FIELDS = [
    "client_name",
    "client_email",
    "client_phone",
    "notes",
    "intake_areas_to_avoid",
    "intake_pregnant",
    "intake_injuries",
    "intake_medications",
    "intake_allergies",
]


class AppointmentAdminForm(forms.ModelForm):
    """Checks the time is free before saving, for a clear message; the save itself goes through the services."""

    override_notice = forms.BooleanField(
        required=False,
        initial=True,
        label="Override the notice and advance window",
        help_text="Staff may book at short notice. A double booking is never allowed.",
    )

    class Meta:
        model = Appointment
        fields = ["service", "therapist", "starts_at", "status", *CLIENT_FIELDS]
        help_texts = {
            "starts_at": "Clinic wall-clock time. The room is chosen automatically.",
            "status": "Set to Cancelled to cancel (the time is freed at once); Completed or No-show after the session.",
            "therapist": "Leave as is to keep the therapist; pick another to move the session to them.",
        }

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if "starts_at" in self.changed_data:
            staff_day_check(timezone.localtime(starts_at).date())
        return starts_at

    def clean(self):
        cleaned = super().clean()
        service = cleaned.get("service") or getattr(self.instance, "service", None)
        starts_at = cleaned.get("starts_at")
        therapist = cleaned.get("therapist")
        moving = self.instance.pk is None or {"starts_at", "therapist"} & set(self.changed_data)
        if service and starts_at and therapist and moving:
            options = {"online_only": False, "ignore_notice": cleaned.get("override_notice", False)}
            slot = slot_find(
                service=service,
                therapist=therapist,
                starts_at=starts_at,
                exclude_appointment_id=self.instance.pk,
                **options,
            )
            if slot is None:
                refusal = start_refusal(service=service, therapist=therapist, starts_at=starts_at, **options)
                raise forms.ValidationError(f"{refusal.message} Please pick another time.")
        return cleaned


def _clinic_time_shown(field: str, description: str):
    """A read-only column or field showing a moment in clinic time, unambiguous on a clock-change day."""

    @admin.display(description=description, ordering=field)
    def shown(self, obj):
        value = getattr(obj, field)
        return clinic_when(value, day_format="D j M Y") if value else "-"

    return shown


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    form = AppointmentAdminForm
    list_display = ["when", "client_name", "service", "therapist", "room", "status", "source"]
    list_filter = ["status", "source", "therapist", "room"]
    search_fields = ["client_name", "client_email", "client_phone"]
    date_hierarchy = "starts_at"
    list_select_related = ["service", "therapist", "room"]
    readonly_fields = ["room", "ends", "blocked", "source", "uid", "sequence", "reminded", "created"]
    actions = ["cancel_selected"]

    def get_fields(self, request, obj=None):
        client_fields = [
            name for name in CLIENT_FIELDS if name not in HEALTH_FIELDS or intake_visible_to(request.user, obj)
        ]
        fields = ["service", "therapist", "starts_at", "override_notice", "status", *client_fields]
        return fields + ([*self.readonly_fields, "intake_provided", "history"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "service", "intake_provided", "history"] if obj else self.readonly_fields

    when = _clinic_time_shown("starts_at", "Starts")
    ends = _clinic_time_shown("ends_at", "Ends")
    blocked = _clinic_time_shown("blocked_until", "Blocked until (end plus cleanup)")
    reminded = _clinic_time_shown("reminded_at", "Reminder sent")
    created = _clinic_time_shown("created_at", "Booked on")

    @admin.display(description="Intake provided", boolean=True)
    def intake_provided(self, obj):
        return obj.has_intake

    @admin.display(description="History")
    def history(self, obj):
        """Who changed this booking, when, and what changed: read-only, written by the services."""
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    clinic_when(event.at, day_format="Y-m-d"),
                    event.who,
                    event.get_action_display(),
                    event.summary,
                )
                for event in obj.events.all()
            ),
        )
        return format_html(
            '<table class="booking-history"><caption>Who changed this booking, when, and what changed</caption>'
            '<thead><tr><th scope="col">When</th><th scope="col">By</th><th scope="col">Change</th>'
            '<th scope="col">Details</th></tr></thead><tbody>{}</tbody></table>',
            rows or format_html('<tr><td colspan="4">{}</td></tr>', "No changes recorded."),
        )

    def has_delete_permission(self, request, obj=None):
        return False  # bookings stay on record; cancel them instead

    def lookup_allowed(self, lookup, value, request=None):
        """No filtering on health information by anyone who may not read all of it.

        A list filtered by ``?intake_medications__startswith=w`` tells whether a hidden answer starts
        with "w", and so spells it out letter by letter; every lookup that names a health field, at
        any depth, is refused (Django answers 400) unless the user reads every client's intake.
        """
        if any(part in HEALTH_FIELDS for part in lookup.split("__")) and not (
            request is not None and is_front_desk(request.user)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BookingError as error:
            # Only reachable if someone took the time between the form's check and the save.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            booked = appointment_book(
                service=data["service"],
                therapist=data["therapist"],
                starts_at=data["starts_at"],
                client=ClientDetails(
                    name=data["client_name"],
                    email=data["client_email"],
                    phone=data["client_phone"],
                    notes=data["notes"],
                    areas_to_avoid=data.get("intake_areas_to_avoid", ""),
                    pregnant=data.get("intake_pregnant", False),
                    injuries=data.get("intake_injuries", ""),
                    medications=data.get("intake_medications", ""),
                    allergies=data.get("intake_allergies", ""),
                    consent=False,
                ),
                source=Appointment.Source.ADMIN,
                booked_by=request.user,
                ignore_notice=data["override_notice"],
            )
            obj.pk = booked.pk
        else:
            current = Appointment.objects.get(pk=obj.pk)
            if {"starts_at", "therapist"} & set(form.changed_data):
                appointment_reschedule(
                    appointment=current,
                    starts_at=data["starts_at"],
                    therapist=data["therapist"],
                    by_client=False,
                    changed_by=request.user,
                    ignore_notice=data["override_notice"],
                )
            if "status" in form.changed_data:
                appointment_status_set(appointment=current, status=data["status"], changed_by=request.user)
            appointment_details_update(
                appointment=current,
                changed_by=request.user,
                details={name: data[name] for name in CLIENT_FIELDS if name in form.fields},
            )
        obj.refresh_from_db()

    @admin.action(description="Cancel the selected bookings (emails the clients)")
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for appointment in queryset.filter(status=Appointment.Status.BOOKED):
            appointment_cancel(appointment=appointment, by_client=False, changed_by=request.user)
            cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} booking(s).")
