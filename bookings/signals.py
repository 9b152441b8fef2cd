"""What bookings tells the apps above it, without knowing who listens.

``time_freed`` is sent, once the change is committed, whenever a therapist's time becomes bookable
again: a cancellation, a move away from it, a released payment hold, a removed time-off entry or
closure, new working hours. Listeners (the waitlist) look for whoever wants that time; they must not
raise, and a listener's failure never undoes the change that freed the time.

The booking's own changes are told the same way, once committed, for the apps that act on them
(payments refunds a deposit or charges a late-cancel fee):

- ``appointment_cancelled``: ``appointment_id``, ``by_client``, ``late`` (after the cancel cutoff), ``actor_id``
- ``appointment_moved``: ``appointment_id``, ``by_client``
- ``hold_released``: ``appointment_id`` of a payment hold that ran out or was given up, whose time is free again
- ``hold_confirmed``: ``appointment_id`` of a payment hold that was paid for and is now a booking
"""

import logging
from datetime import datetime

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

time_freed = Signal()
appointment_cancelled = Signal()
appointment_moved = Signal()
hold_released = Signal()
hold_confirmed = Signal()


def time_freed_announce(
    *, therapist_id: int, starts_at: datetime, ends_at: datetime, reason: str, appointment_id: int | None = None
) -> None:
    """Tell listeners, after the current transaction commits, that this stretch of time is free again.

    ``appointment_id`` names the booking whose cancellation or move freed it, when there is one.
    """

    def send() -> None:
        time_freed.send_robust(
            sender="bookings",
            therapist_id=therapist_id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            appointment_id=appointment_id,
        )

    transaction.on_commit(send)


def booking_change_announce(signal: Signal, **details) -> None:
    """Send one of the booking signals above after the current transaction commits; listeners cannot undo it."""

    def send() -> None:
        for _receiver, answer in signal.send_robust(sender="bookings", **details):
            if isinstance(answer, Exception):
                logger.error("A listener of a booking change failed: %r", answer, exc_info=answer)

    transaction.on_commit(send)
