"""Private links of the waitlist: the entry's own page and each offer's "Take this time".

A token is the row's random key signed with SECRET_KEY, with a salt per kind of link, as for the
bookings manage link (bookings.tokens): no id, email or name in the URL; a tampered token fails the
signature; an entry token never opens an offer and the other way round. How long an offer stays
good is the offer's own ``expires_at``, checked when it is used, not the token.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Entry, Offer

ENTRY_SALT = "waitlist.entry"
OFFER_SALT = "waitlist.offer"
MAX_TOKEN_LENGTH = 200


def _key_in(token: str, *, salt: str) -> str | None:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None


def entry_token(entry: Entry) -> str:
    return signing.Signer(salt=ENTRY_SALT).sign(entry.access_key)


def entry_from_token(token: str) -> Entry | None:
    key = _key_in(token, salt=ENTRY_SALT)
    if key is None:
        return None
    return Entry.objects.select_related("service", "therapist", "appointment").filter(access_key=key).first()


def offer_token(offer: Offer) -> str:
    return signing.Signer(salt=OFFER_SALT).sign(offer.key)


def offer_from_token(token: str) -> Offer | None:
    key = _key_in(token, salt=OFFER_SALT)
    if key is None:
        return None
    rows = Offer.objects.select_related("entry", "entry__service", "entry__appointment", "therapist", "opening")
    return rows.filter(key=key).first()


def offer_url(offer: Offer) -> str:
    """The absolute "Take this time" link, as the offer email carries it."""
    return settings.SITE_URL + reverse("waitlist:offer", kwargs={"token": offer_token(offer)})
