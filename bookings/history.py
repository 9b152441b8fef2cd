"""The booking history: who changed a booking, when, and what changed.

Services call ``booking_event_record`` inside the transaction that makes the change, so a change and
its history entry commit together or not at all. Intake answers are health information: the history
says only that the intake was provided, updated or erased, never what it said.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from .models import INTAKE_FIELDS, Appointment, BookingEvent, Room, Service, Therapist

TRACKED = {
    "starts_at": "time",
    "service_id": "service",
    "therapist_id": "therapist",
    "room_id": "room",
    "status": "status",
    "client_name": "name",
    "client_email": "email",
    "client_phone": "phone",
    "arrived_at": "checked in",
    "cancel_reason": "reason",
}
# Free text that may hold health details: the history says that it changed, never what it says.
PRIVATE = {"intake": INTAKE_FIELDS, "notes": ("notes",)}
NAMED = {"service_id": Service, "therapist_id": Therapist, "room_id": Room}


@dataclass(frozen=True)
class Actor:
    """Who makes a change: the client (through the booking page or their manage link), a staff user, or the system."""

    kind: str
    user: Any = None

    @classmethod
    def client(cls) -> "Actor":
        return cls(BookingEvent.Actor.CLIENT)

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(BookingEvent.Actor.STAFF, user) if user is not None else cls.system()

    @classmethod
    def system(cls) -> "Actor":
        return cls(BookingEvent.Actor.SYSTEM)


def appointment_state(appointment: Appointment) -> dict[str, Any]:
    """The values the history compares, taken before and after a change."""
    return {field: getattr(appointment, field) for field in [*TRACKED, *INTAKE_FIELDS, "notes"]}


def _shown(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    if field in NAMED:
        return NAMED[field].objects.filter(pk=value).values_list("name", flat=True).first() or f"#{value}"
    if field == "status":
        return Appointment.Status(value).label
    return str(value)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed, as ``{label: [before, after]}``; intake and notes only as ``{"intake": "updated"}`` and the like."""
    changes: dict[str, Any] = {}
    for field, label in TRACKED.items():
        if before.get(field) != after.get(field):
            changes[label] = [_shown(field, before.get(field)), _shown(field, after.get(field))]
    for label, fields in PRIVATE.items():
        values_before = [before.get(field) for field in fields]
        values_after = [after.get(field) for field in fields]
        if values_before == values_after:
            continue
        if not before:
            if any(values_after):
                changes[label] = "provided"
        elif not any(values_after):
            changes[label] = "cleared"
        else:
            changes[label] = "updated"
    return changes


def booking_event_record(
    *, appointment: Appointment, action: str, actor: Actor, changes: dict[str, Any], at: datetime | None = None
) -> BookingEvent:
    user = actor.user if actor.kind == BookingEvent.Actor.STAFF else None
    return BookingEvent.objects.create(
        appointment=appointment,
        at=at or timezone.now(),
        actor_kind=actor.kind,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        action=action,
        changes=changes,
    )
