"""What other apps may use of bookings: a blog author who is one of our therapists shows the therapist's
profile and invites readers to book.

Blog templates and views see only ``TherapistProfile`` and ``BookingInvite``, never the Therapist model behind them.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from .models import Therapist


@dataclass(frozen=True)
class TherapistProfile:
    """How the therapist presents themselves: the one true copy of their name, credentials, bio and photo."""

    name: str
    credentials: str
    bio: str
    photo_url: str


def therapist_profile(therapist: Therapist) -> TherapistProfile:
    """The therapist's public profile, whether or not they are still bookable (their articles keep their byline)."""
    return TherapistProfile(
        name=therapist.name,
        credentials=therapist.credentials,
        bio=therapist.bio,
        photo_url=therapist.photo.url if therapist.photo else "",
    )


def therapist_login_ids():
    """The staff accounts our therapists sign in with (a subquery of user ids)."""
    return Therapist.objects.filter(user__isnull=False).values("user_id")


def therapist_login_id(therapist: Therapist | None) -> int | None:
    return therapist.user_id if therapist is not None else None


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
