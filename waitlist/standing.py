"""Where an entry stands, as the person and the front desk see it: waiting, offered, booked, ended or left.

The stored state knows nothing of the clock: a waiting entry whose last day has passed reads as
ended (expiry is a query, not a job), and one with an offer still on hold reads as offered.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse

from core.clinictime import clinic_tz

from .models import Entry, Offer
from .tokens import offer_token


class Shown:
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    ENDED = "ended"
    LEFT = "left"


LABELS = {
    Shown.WAITING: "Waiting for a time",
    Shown.OFFERED: "A time is offered",
    Shown.BOOKED: "Booked",
    Shown.ENDED: "Ended",
    Shown.LEFT: "Left the waitlist",
}


@dataclass(frozen=True)
class Standing:
    state: str
    live_offer: Offer | None = None
    expired: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def offer_path(self) -> str:
        """The live offer's "Take this time" page on this site, for a link on our own pages."""
        if self.live_offer is None:
            return ""
        return reverse("waitlist:offer", kwargs={"token": offer_token(self.live_offer)})

    @property
    def changeable(self) -> bool:
        return self.state in (Shown.WAITING, Shown.OFFERED)


def live_offers(entry: Entry, *, now: datetime):
    return entry.offers.filter(state=Offer.State.OFFERED, expires_at__gt=now).select_related("therapist")


def entry_standing(entry: Entry, *, now: datetime, offers: list[Offer] | None = None) -> Standing:
    """``offers``: the entry's offers when the caller already fetched them (the desk's list), else one query."""
    today: date = now.astimezone(clinic_tz()).date()
    if entry.state == Entry.State.BOOKED:
        return Standing(Shown.BOOKED)
    if entry.state == Entry.State.LEFT:
        return Standing(Shown.LEFT)
    if entry.state == Entry.State.ENDED:
        return Standing(Shown.ENDED)
    if entry.latest_on < today:
        return Standing(Shown.ENDED, expired=True)
    if offers is None:
        live = live_offers(entry, now=now).first()
    else:
        live = next((o for o in offers if o.state == Offer.State.OFFERED and o.expires_at > now), None)
    if live is not None:
        return Standing(Shown.OFFERED, live_offer=live)
    return Standing(Shown.WAITING)
