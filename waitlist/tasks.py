"""Background work of the waitlist, run by django-tasks like every other task (core.queue)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from core.queue import registered, repeating, task_enqueue_once

from . import offers

SWEEP_EVERY = timedelta(minutes=1)


@registered("waitlist.time_freed")
@task()
def time_freed(
    *, therapist_id: int, starts_at: str, ends_at: str, reason: str, appointment_id: int | None = None
) -> int:
    """Time became free (bookings.signals.time_freed): record it and send the offers it allows."""
    opening = offers.opening_open(
        therapist_id=therapist_id,
        starts_at=datetime.fromisoformat(starts_at),
        ends_at=datetime.fromisoformat(ends_at),
        reason=reason,
        source_appointment_id=appointment_id,
    )
    return 0 if opening is None else opening.offers.count()


@registered("waitlist.offer_lapse")
@task()
def offer_lapse(*, offer_id: int) -> bool:
    """Queued for the end of an offer's hold; moves the time on to the next person if nobody took it."""
    return offers.offer_lapse(offer_id=offer_id)


@registered("waitlist.opening_dispatch")
@task()
def opening_dispatch(*, opening_id: int) -> int:
    """Offer what is left of an opening again (after an offer was withdrawn or declined)."""
    opening = offers.Opening.objects.filter(pk=opening_id).first()
    return 0 if opening is None else len(offers.opening_dispatch(opening=opening))


@repeating("waitlist.offers_sweep")
@task()
def offers_sweep() -> int:
    """Every minute: lapse offers whose own lapse task was lost with a worker. Queues the next run first."""
    task_enqueue_once("waitlist.offers_sweep", run_after=timezone.now() + SWEEP_EVERY)
    return offers.offers_lapse_due()
