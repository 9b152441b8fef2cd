"""The waitlist hears bookings' ``time_freed`` and hands the work to a task, so the change that freed
the time (a cancellation request, an admin save) never waits for matching and offer emails."""

import logging

from core.queue import task_enqueue

logger = logging.getLogger(__name__)


def time_freed_received(sender, *, therapist_id, starts_at, ends_at, reason, appointment_id=None, **kwargs) -> None:
    try:
        task_enqueue(
            "waitlist.time_freed",
            therapist_id=therapist_id,
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            reason=reason,
            appointment_id=appointment_id,
        )
    except Exception:
        logger.exception("Could not queue the waitlist's look at time freed for therapist %s", therapist_id)
