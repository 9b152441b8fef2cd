"""Joining, changing and leaving the waitlist, and a booked client's "move me earlier".

Every rule an entry must meet lives here, so the join form, the entry page, the desk and the
tests all get the same answer; a refusal carries one message per field (``EntryRefused.errors``)
for the form to show beside what the person typed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from bookings.models import Appointment, BookingPolicy, Service, Therapist
from bookings.status_changes import client_change_refusal
from core.clinictime import clinic_tz

from .models import Entry, EntryWindow, PartOfDay
from .offers import entry_offers_withdraw

MAX_WINDOWS = 14
MAX_WAITING_PER_EMAIL = 5
MAX_NOTICE_MINUTES = 14 * 24 * 60


class EntryRefused(Exception):
    """The entry breaks a rule; ``errors`` maps a field name (or ``"__all__"``) to a sentence for the person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Window:
    """A wall-clock window the whole session must fit in; ``weekday`` None means every day (0 is Monday)."""

    starts: time
    ends: time
    weekday: int | None = None


@dataclass(frozen=True)
class Wish:
    """What the person is waiting for."""

    service: Service
    earliest_on: date
    latest_on: date
    therapist: Therapist | None = None
    parts_of_day: Sequence[str] = ()
    windows: Sequence[Window] = field(default=())
    notice_minutes: int = 0


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""
    consent: bool = False


def _today(now: datetime) -> date:
    return now.astimezone(clinic_tz()).date()


def _wish_errors(wish: Wish, *, now: datetime, policy: BookingPolicy) -> dict[str, str]:
    errors: dict[str, str] = {}
    service, therapist = wish.service, wish.therapist
    if not service.is_active:
        errors["service"] = "This service can no longer be booked. Please choose another."
    if therapist is not None:
        if not (therapist.is_active and therapist.is_bookable_online):
            errors["therapist"] = f"{therapist.name} is not taking online bookings. Choose “any therapist” or another."
        elif not therapist.services.filter(pk=service.pk).exists():
            errors["therapist"] = f"{therapist.name} doesn't offer {service.name}. Choose another therapist."
    today = _today(now)
    last_day = today + timedelta(days=policy.max_advance_days)
    if wish.earliest_on < today:
        errors["earliest_on"] = "The first day can't be in the past."
    if wish.latest_on < wish.earliest_on:
        errors["latest_on"] = "The last day must be on or after the first day."
    elif wish.latest_on > last_day:
        errors["latest_on"] = (
            f"We take bookings up to {policy.max_advance_days} days ahead; "
            f"choose a last day no later than {last_day:%-d %B %Y}."
        )
    unknown = [part for part in wish.parts_of_day if part not in PartOfDay.values]
    if unknown:
        errors["parts_of_day"] = "Choose morning, afternoon or evening."
    if len(wish.windows) > MAX_WINDOWS:
        errors["windows"] = f"Up to {MAX_WINDOWS} windows, please."
    elif any(window.ends <= window.starts for window in wish.windows):
        errors["windows"] = "Each window must end after it starts."
    elif any(window.weekday is not None and not 0 <= window.weekday <= 6 for window in wish.windows):
        errors["windows"] = "Choose a day of the week for each window, or every day."
    if not 0 <= wish.notice_minutes <= MAX_NOTICE_MINUTES:
        errors["notice_minutes"] = "The notice must be between none and 14 days."
    return errors


def _contact_errors(contact: Contact) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not contact.name.strip():
        errors["name"] = "Please give your name."
    elif len(contact.name.strip()) > 120:
        errors["name"] = "Please shorten your name to 120 characters."
    try:
        validate_email(contact.email.strip())
        if len(contact.email.strip()) > 254:
            raise ValidationError("too long")
    except ValidationError:
        errors["email"] = "Please give an email address we can send the offer to, like name@example.com."
    if len(contact.phone.strip()) > 40:
        errors["phone"] = "Please shorten the phone number to 40 characters."
    if not contact.consent:
        errors["consent"] = "Please confirm your consent to treatment to join the waitlist."
    return errors


def _windows_write(entry: Entry, windows: Sequence[Window]) -> None:
    entry.windows.all().delete()
    EntryWindow.objects.bulk_create(
        EntryWindow(entry=entry, weekday=window.weekday, starts=window.starts, ends=window.ends) for window in windows
    )


def entry_join(*, wish: Wish, contact: Contact, now: datetime | None = None) -> Entry:
    """Put the person on the waitlist; raises ``EntryRefused`` with a message per field that breaks a rule."""
    now = now or timezone.now()
    email = contact.email.strip().lower()
    errors = {**_wish_errors(wish, now=now, policy=BookingPolicy.current()), **_contact_errors(contact)}
    if not errors:
        waiting = Entry.objects.waiting(today=_today(now)).filter(email=email)
        if waiting.filter(service=wish.service, therapist=wish.therapist, appointment__isnull=True).exists():
            errors["__all__"] = (
                "You are already on the waitlist for this. The link in your confirmation email changes that entry."
            )
        elif waiting.count() >= MAX_WAITING_PER_EMAIL:
            errors["__all__"] = f"You can wait for up to {MAX_WAITING_PER_EMAIL} things at once. Leave one first."
    if errors:
        raise EntryRefused(errors)
    with transaction.atomic():
        entry = Entry.objects.create(
            service=wish.service,
            therapist=wish.therapist,
            earliest_on=wish.earliest_on,
            latest_on=wish.latest_on,
            parts_of_day=sorted(set(wish.parts_of_day)),
            notice_minutes=wish.notice_minutes,
            name=contact.name.strip(),
            email=email,
            phone=contact.phone.strip(),
            consent_at=now,
            joined_at=now,
        )
        _windows_write(entry, wish.windows)
    return entry


def _require_waiting(entry: Entry, *, now: datetime) -> None:
    if entry.state != Entry.State.WAITING:
        raise EntryRefused({"__all__": f"This entry is {entry.get_state_display().lower()}, so it cannot be changed."})
    if entry.latest_on < _today(now):
        raise EntryRefused({"__all__": "This entry has expired: its last day has passed. You can join again."})


def _booking_bound_errors_pop(errors: dict[str, str], *, wish: Wish, appointment: Appointment) -> None:
    """A "move me earlier" wish is bound to its booking: the same rule for asking and for changing it.

    The booking's own therapist stays acceptable even once no longer bookable online, and a last day up
    to the booking's own day stays acceptable even if the advance window has shrunk since it was booked.
    """
    if wish.therapist == appointment.therapist:
        errors.pop("therapist", None)
    booking_day = appointment.starts_at.astimezone(clinic_tz()).date()
    if wish.earliest_on <= wish.latest_on <= booking_day:
        errors.pop("latest_on", None)


def entry_update(*, entry: Entry, wish: Wish, contact: Contact | None = None, now: datetime | None = None) -> Entry:
    """Change what a waiting entry asks for (and, given ``contact``, who it is for); its place in the queue stays."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        _require_waiting(current, now=now)
        errors = _wish_errors(wish, now=now, policy=BookingPolicy.current())
        if current.is_move_earlier:
            _booking_bound_errors_pop(errors, wish=wish, appointment=current.appointment)
            if wish.service != current.service or wish.therapist != current.therapist:
                errors["service"] = "An entry to move a booking earlier keeps the booking's service and therapist."
        if contact is not None:
            errors.update(_contact_errors(contact))
        if errors:
            raise EntryRefused(errors)
        current.service, current.therapist = wish.service, wish.therapist
        current.earliest_on, current.latest_on = wish.earliest_on, wish.latest_on
        current.parts_of_day = sorted(set(wish.parts_of_day))
        current.notice_minutes = wish.notice_minutes
        if contact is not None:
            current.name, current.email, current.phone = (
                contact.name.strip(),
                contact.email.strip().lower(),
                contact.phone.strip(),
            )
        current.save()
        _windows_write(current, wish.windows)
    return current


def entry_leave(*, entry: Entry, now: datetime | None = None) -> Entry:
    """Take the person off the waitlist; their open offers are withdrawn. Leaving twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        if current.state != Entry.State.WAITING:
            return current
        current.state = Entry.State.LEFT
        current.left_at = now
        current.save(update_fields=["state", "left_at", "updated_at"])
        entry_offers_withdraw(entry=current, now=now)
    return current


def move_earlier_request(
    *,
    appointment: Appointment,
    parts_of_day: Sequence[str] = (),
    windows: Sequence[Window] = (),
    notice_minutes: int = 0,
    now: datetime | None = None,
) -> Entry:
    """A booked client asks to be moved earlier, with the same service and therapist, if a time opens up.

    Asking again while an entry waits returns that entry unchanged. Refused once the booking can no
    longer be changed online (it is cancelled, past, or inside the cancel cutoff).
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    refusal = client_change_refusal(appointment, policy=policy, now=now)
    if refusal:
        raise EntryRefused({"__all__": refusal})
    if not appointment.client_email:
        raise EntryRefused({"__all__": "We need an email address to send you an earlier time. Please call us."})
    existing = Entry.objects.filter(appointment=appointment, state=Entry.State.WAITING).first()
    if existing is not None:
        return existing
    wish = Wish(
        service=appointment.service,
        therapist=appointment.therapist,
        earliest_on=_today(now),
        latest_on=appointment.starts_at.astimezone(clinic_tz()).date(),
        parts_of_day=parts_of_day,
        windows=windows,
        notice_minutes=notice_minutes,
    )
    errors = _wish_errors(wish, now=now, policy=policy)
    _booking_bound_errors_pop(errors, wish=wish, appointment=appointment)
    if errors:
        raise EntryRefused(errors)
    with transaction.atomic():
        entry = Entry.objects.create(
            service=wish.service,
            therapist=wish.therapist,
            earliest_on=wish.earliest_on,
            latest_on=wish.latest_on,
            parts_of_day=sorted(set(parts_of_day)),
            notice_minutes=notice_minutes,
            appointment=appointment,
            name=appointment.client_name,
            email=appointment.client_email.strip().lower(),
            phone=appointment.client_phone,
            consent_at=appointment.consent_at or now,
            joined_at=now,
        )
        _windows_write(entry, windows)
    return entry
