"""The waitlist's part of the clinic's retention and erasure rules, the same as for bookings.

An entry holds a name, an email and a phone, nothing about health. A client's erasure request
blanks them on every entry with their email (or belonging to their bookings) and takes the entry
off the list; the daily retention run (bookings.maintenance, ``retention_due``) blanks entries that
stopped waiting more than ``INTAKE_RETENTION_DAYS`` ago. What stays is the wish and its offers,
anonymous, so the refill numbers still add up. Each erased entry's private link stops working.
"""

import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from .entries import entry_leave
from .models import Entry

ERASED_NAME = "Erased client"


def _erase(entries, *, now: datetime) -> int:
    count = 0
    for entry in entries.exclude(name=ERASED_NAME, email="", phone="").order_by("pk"):
        entry_leave(entry=entry, now=now)
        Entry.objects.filter(pk=entry.pk).update(
            name=ERASED_NAME, email="", phone="", access_key=secrets.token_urlsafe(24)
        )
        count += 1
    return count


def entries_personal_erase(*, email: str, appointment_ids=(), now: datetime) -> int:
    """A person's erasure request: every entry under ``email`` or for one of their bookings. Returns how many."""
    email = email.strip().lower()
    matches = Q(appointment_id__in=list(appointment_ids))
    if email:
        matches |= Q(email=email)
    with transaction.atomic():
        return _erase(Entry.objects.filter(matches), now=now)


def entries_erase_expired(*, now: datetime, cutoff: datetime) -> int:
    """Entries that stopped waiting (booked, left, ended or past their last day) before ``cutoff``."""
    cutoff_day = cutoff.date()
    done = Q(state=Entry.State.WAITING, latest_on__lt=cutoff_day) | (
        ~Q(state=Entry.State.WAITING) & Q(updated_at__lt=cutoff) & Q(latest_on__lt=cutoff_day)
    )
    with transaction.atomic():
        return _erase(Entry.objects.filter(done), now=now)


def retention_due_received(sender, *, now: datetime, cutoff: datetime, **kwargs) -> None:
    entries_erase_expired(now=now, cutoff=cutoff)
