"""The one pattern every write that uses up a therapist's or room's time follows, booking and moving alike.

It is core.locking's: open a transaction, lock the candidate therapists' and the service's rooms'
rows (and the booking being moved) with ``rows_lock``, re-check availability, write. On PostgreSQL
the exclusion constraints are the last line: a violation, known by the constraint's name, becomes
the same ``SlotTaken`` answer. Any other start the re-check refuses is explained, under the same
lock, by ``bookings.refusals.start_refusal``.
"""

from datetime import datetime

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import IntegrityError
from django.db.models import QuerySet

from core.constraints import violated_constraint

from .models import Appointment, Room, Service, Therapist
from .refusals import BookingError, Reason, Refusal, SlotTaken, StartRefused, taken

OVERLAP_CONSTRAINTS = frozenset(
    constraint.name for constraint in Appointment._meta.constraints if isinstance(constraint, ExclusionConstraint)
)


class Unavailable(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal


def refused(refusal: Refusal, alternatives: list) -> StartRefused:
    """``SlotTaken`` for a time someone else holds, ``StartRefused`` for every other reason."""
    kind = SlotTaken if refusal.reason == Reason.TAKEN else StartRefused
    return kind(refusal, alternatives)


def refusal_of(error: Exception, *, starts_at: datetime) -> Refusal:
    """The reason decided under the lock, or "just taken" when the database's constraint refused the write."""
    return error.refusal if isinstance(error, Unavailable) else taken(starts_at)


def require_offers(therapist: Therapist, service: Service) -> None:
    """Say so when the therapist does not give this service, rather than calling every time taken."""
    if not therapist.services.filter(pk=service.pk).exists():
        raise BookingError(f"{therapist.name} doesn't offer {service.name}. Choose another therapist.")


def capacity_rows(*, therapist: Therapist | None, service: Service) -> tuple[QuerySet, QuerySet]:
    """The rows a session of ``service`` uses up: its therapist (None: every one who gives it) and its rooms."""
    therapists = (
        Therapist.objects.filter(services=service) if therapist is None else Therapist.objects.filter(pk=therapist.pk)
    )
    return therapists, Room.objects.filter(services=service)


def is_overlap_violation(error: IntegrityError) -> bool:
    return violated_constraint(error) in OVERLAP_CONSTRAINTS
