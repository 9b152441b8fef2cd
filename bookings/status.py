"""Which outcome staff may record for a session: the one rule the schedule's buttons and the services share."""

from datetime import datetime

from .models import Appointment

OUTCOMES = (Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW)


def mark_refusal(appointment: Appointment, *, status: str, now: datetime) -> str | None:
    """Why staff cannot record ``status`` as how this session went, or None when they can.

    A session can be marked once it has started, unless it was cancelled; an outcome already
    recorded can be corrected to the other one.
    """
    if status not in OUTCOMES:
        return "A session can only be marked completed or no-show."
    if appointment.status == Appointment.Status.CANCELLED:
        return "A cancelled booking cannot be marked."
    if appointment.starts_at > now:
        return "A session can be marked once it has started."
    return None


def outcomes_open(appointment: Appointment, *, now: datetime) -> list[str]:
    """The outcomes the schedule offers for this session now: those allowed, except the one already recorded."""
    return [
        status
        for status in OUTCOMES
        if status != appointment.status and mark_refusal(appointment, status=status, now=now) is None
    ]
