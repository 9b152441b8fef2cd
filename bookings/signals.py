"""What bookings tells the apps above it, without knowing who listens.

``time_freed`` is sent, once the change is committed, whenever a therapist's time becomes bookable
again: a cancellation, a move away from it, a released payment hold, a removed time-off entry or
closure, new working hours. Listeners (the waitlist) look for whoever wants that time; they must not
raise, and a listener's failure never undoes the change that freed the time.
"""

from datetime import datetime

from django.db import transaction
from django.dispatch import Signal

time_freed = Signal()


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
