"""Signed tokens for private links: the client's manage link and each therapist's calendar feed.

A token is a random key stored on the row, signed with SECRET_KEY. The URL carries no id, email or
name; a tampered token fails the signature, and giving the row a new key revokes every old link.
"""

from django.core import signing

from .models import Appointment, Therapist

MANAGE_SALT = "bookings.manage"
FEED_SALT = "bookings.feed"


def manage_token(appointment: Appointment) -> str:
    return signing.Signer(salt=MANAGE_SALT).sign(appointment.manage_key)


def appointment_from_manage_token(token: str) -> Appointment | None:
    if len(token) > 200:
        return None
    try:
        key = signing.Signer(salt=MANAGE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Appointment.objects.select_related("service", "therapist", "room").filter(manage_key=key).first()


def feed_token(therapist: Therapist) -> str:
    return signing.Signer(salt=FEED_SALT).sign(therapist.feed_key)


def therapist_from_feed_token(token: str) -> Therapist | None:
    if len(token) > 200:
        return None
    try:
        key = signing.Signer(salt=FEED_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Therapist.objects.filter(feed_key=key, is_active=True).first()
