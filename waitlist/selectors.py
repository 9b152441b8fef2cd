"""Reads for the desk's waitlist views: who waits for a day, and what each was offered."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from bookings.models import Therapist

from .models import Entry, Offer


def entries_for_day(*, day: date, therapist: Therapist | None = None, today: date) -> QuerySet[Entry]:
    """Waiting entries whose range covers ``day`` (for ``therapist``: theirs and "any"), in joining order,
    with their offers (newest first) and windows loaded, in three queries."""
    entries = Entry.objects.waiting(today=today).filter(earliest_on__lte=day, latest_on__gte=day)
    if therapist is not None:
        entries = entries.filter(Q(therapist__isnull=True) | Q(therapist=therapist), service__therapists=therapist)
    offers = Offer.objects.select_related("therapist").order_by("-offered_at", "-pk")
    return (
        entries.select_related("service", "therapist", "appointment")
        .prefetch_related("windows", Prefetch("offers", queryset=offers))
        .order_by("joined_at", "pk")
        .distinct()
    )


def entry_offers(entry: Entry) -> QuerySet[Offer]:
    """Every offer the entry had, newest first, for its page and the desk."""
    return entry.offers.select_related("therapist").order_by("-offered_at", "-pk")
