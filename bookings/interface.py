"""What other apps may use of bookings: a blog author who is one of our therapists invites readers to book.

Blog templates and views see only ``BookingInvite``, never the Therapist model behind it.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from .models import Therapist


@dataclass(frozen=True)
class BookingInvite:
    name: str
    url: str


def therapist_booking_invite(therapist: Therapist | None) -> BookingInvite | None:
    """The booking link for ``therapist``, or None when clients cannot book them online."""
    if therapist is None or not (therapist.is_active and therapist.is_bookable_online):
        return None
    url = f"{reverse('bookings:start')}?{urlencode({'therapist': therapist.slug})}"
    return BookingInvite(name=therapist.name, url=url)
