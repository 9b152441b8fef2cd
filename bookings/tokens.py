"""Signed tokens for private links: the client's manage link and each therapist's calendar feed.

A token is a random key stored on the row, signed with SECRET_KEY. The URL carries no id, email or
name; a tampered token fails the signature, and giving the row a new key revokes every old link.
Each kind of link has its own salt, so a manage token never opens a feed and the other way round.
"""

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse

from .models import Appointment, Therapist

MANAGE_SALT = "bookings.manage"
FEED_SALT = "bookings.feed"
MAX_TOKEN_LENGTH = 200


def _sign(key: str, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign(key)


def _row_for(token: str, *, salt: str, rows: QuerySet, key_field: str):
    """The row whose ``key_field`` is the key inside a genuine token; None for an overlong or tampered one."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        key = signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None
    return rows.filter(**{key_field: key}).first()


def manage_token(appointment: Appointment) -> str:
    return _sign(appointment.manage_key, salt=MANAGE_SALT)


def manage_url(appointment: Appointment) -> str:
    """The absolute manage link, as emails and calendar files carry it."""
    return settings.SITE_URL + reverse("bookings:manage", kwargs={"token": manage_token(appointment)})


def appointment_from_manage_token(token: str) -> Appointment | None:
    rows = Appointment.objects.select_related("service", "therapist", "room")
    return _row_for(token, salt=MANAGE_SALT, rows=rows, key_field="manage_key")


def feed_token(therapist: Therapist) -> str:
    return _sign(therapist.feed_key, salt=FEED_SALT)


def therapist_from_feed_token(token: str) -> Therapist | None:
    return _row_for(token, salt=FEED_SALT, rows=Therapist.objects.filter(is_active=True), key_field="feed_key")
