"""Reads for the desk's waitlist views: who waits for a day, and what each was offered."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from bookings.models import Therapist

from .models import Entry, Offer


def entries_for_day(*, day: date, therapist: Therapist | None = None, today: date) -> QuerySet[Entry]:
    """Waiting entries whose range covers ``day`` (for ``therapist``: theirs and "any"), in joining order,
    with their offers (newest first) and windows loaded, in three queries."""
    return _covering(Entry.objects.waiting(today=today), day=day, therapist=therapist)


def entries_covering_day(*, day: date, therapist: Therapist | None = None) -> QuerySet[Entry]:
    """Every entry whose range covers ``day``, whatever became of it (waiting, booked, left, ended), for the
    desk to see each one's state; same order and loading as ``entries_for_day``."""
    return _covering(Entry.objects.all(), day=day, therapist=therapist)


def _covering(entries: QuerySet[Entry], *, day: date, therapist: Therapist | None) -> QuerySet[Entry]:
    entries = entries.filter(earliest_on__lte=day, latest_on__gte=day)
    if therapist is not None:
        entries = entries.filter(Q(therapist__isnull=True) | Q(therapist=therapist), service__therapists=therapist)
    offers = Offer.objects.select_related("therapist").order_by("-offered_at", "-pk")
    return (
        entries.select_related("service", "therapist", "appointment", "booked")
        .prefetch_related("windows", Prefetch("offers", queryset=offers))
        .order_by("joined_at", "pk")
        .distinct()
    )


def entry_offers(entry: Entry) -> QuerySet[Offer]:
    """Every offer the entry had, newest first, for its page and the desk."""
    return entry.offers.select_related("therapist").order_by("-offered_at", "-pk")
