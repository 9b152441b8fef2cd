"""Sending offers when time frees up, and what happens when their hold runs out.

Every change to an opening's offers follows core.locking's pattern: open a transaction, lock the
opening's row, re-read, write. So two dispatches of one opening (a lapse task and a new
cancellation next to it, say) never send the same time twice, and the unique constraints on
``Offer`` (one offer per person per start, one per person per opening) state that in the database.

Strategy (``WaitlistPolicy``): *in turn*, one live offer per opening, to the person who joined
first; when it lapses the next person gets one. *Everyone*, each person who fits gets an offer at
once and the first to accept wins. A time that starts within ``everyone_within_hours`` always goes
to everyone: there is no time left to ask in turn.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings.availability import slot_find
from bookings.history import Actor
from bookings.models import BookingPolicy, Therapist
from core.clinictime import clinic_tz
from core.locking import rows_lock
from core.queue import task_enqueue

from .emails import offer_email_queue
from .history import LAPSED, OFFERED, offer_history_record
from .matching import Match, opening_matches
from .models import Entry, Offer, Opening, WaitlistPolicy

logger = logging.getLogger(__name__)

State = Offer.State


def opening_open(
    *,
    therapist_id: int,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    source_appointment_id: int | None = None,
    now: datetime | None = None,
) -> Opening | None:
    """Record a stretch of freed time and offer it; None when it is past or nobody waits for that therapist."""
    now = now or timezone.now()
    if ends_at <= now:
        return None
    therapist = Therapist.objects.filter(pk=therapist_id).first()
    if therapist is None:
        return None
    waiting = Entry.objects.waiting(today=now.astimezone(clinic_tz()).date()).filter(service__therapists=therapist)
    if not waiting.exists():
        return None
    opening = Opening.objects.create(
        therapist=therapist,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason[:32],
        source_appointment_id=source_appointment_id,
        opened_at=now,
    )
    opening_dispatch(opening=opening, now=now)
    return opening


def _lapse_due(opening: Opening, *, now: datetime) -> int:
    """Mark the opening's offers whose hold has run out as lapsed (inside the caller's lock)."""
    due = list(
        opening.offers.filter(state=State.OFFERED, expires_at__lte=now).select_related("entry", "therapist", "opening")
    )
    for offer in due:
        offer.state = State.LAPSED
        offer.decided_at = now
        offer.save(update_fields=["state", "decided_at"])
        offer_history_record(offer=offer, action=LAPSED)
    return len(due)


def _offer_make(
    *, opening: Opening, match: Match, now: datetime, hold: timedelta, notice: timedelta, by_staff=False, actor=None
) -> Offer | None:
    expires_at = min(now + hold, match.slot.start - notice)
    if expires_at <= now:
        return None
    offer = Offer.objects.create(
        opening=opening,
        entry=match.entry,
        therapist=match.slot.therapist,
        starts_at=match.slot.start,
        expires_at=expires_at,
        offered_at=now,
        by_staff=by_staff,
    )
    offer_history_record(offer=offer, action=OFFERED, actor=actor)
    offer_email_queue(offer=offer)
    transaction.on_commit(lambda: _lapse_schedule(offer.pk, expires_at))
    return offer


def _lapse_schedule(offer_id: int, expires_at: datetime) -> None:
    try:
        if not task_enqueue("waitlist.offer_lapse", run_after=expires_at, offer_id=offer_id):
            logger.info("Task backend cannot defer; the waitlist sweep lapses offer %s", offer_id)
    except Exception:
        logger.exception("Could not queue the lapse of offer %s; the waitlist sweep will lapse it", offer_id)


def opening_dispatch(*, opening: Opening, now: datetime | None = None) -> list[Offer]:
    """Send whatever the opening's time and the strategy allow now; close the opening when nothing is left.

    Lapses offers whose hold ran out first, so calling it again after a hold is the move to the next person.
    """
    now = now or timezone.now()
    policy, waitlist_policy = BookingPolicy.current(), WaitlistPolicy.current()
    with transaction.atomic():
        rows_lock(Opening.objects.filter(pk=opening.pk))
        current = Opening.objects.select_related("therapist").get(pk=opening.pk)
        if current.closed_at is not None:
            return []
        _lapse_due(current, now=now)
        live = current.offers.filter(state=State.OFFERED).exists()
        matches = opening_matches(opening=current, now=now, policy=policy, waitlist_policy=waitlist_policy)
        if not matches:
            if not live:
                current.closed_at = now
                current.save(update_fields=["closed_at"])
            return []
        soonest = min(match.slot.start for match in matches)
        everyone = waitlist_policy.strategy == WaitlistPolicy.Strategy.EVERYONE or soonest - now < timedelta(
            hours=waitlist_policy.everyone_within_hours
        )
        if not everyone:
            if live:
                return []
            matches = matches[:1]
        hold = timedelta(minutes=waitlist_policy.hold_minutes)
        notice = timedelta(minutes=policy.min_notice_minutes)
        made = [_offer_make(opening=current, match=match, now=now, hold=hold, notice=notice) for match in matches]
    return [offer for offer in made if offer is not None]


def offer_lapse(*, offer_id: int, now: datetime | None = None) -> bool:
    """The hold of one offer is over: lapse it if nobody took it, and offer the time to the next person.

    Run by the task queued for the offer's ``expires_at``; a second run, or one for an offer already
    taken or withdrawn, changes nothing. Returns whether the offer lapsed now.
    """
    now = now or timezone.now()
    offer = Offer.objects.select_related("opening").filter(pk=offer_id).first()
    if offer is None or offer.state != State.OFFERED or offer.expires_at > now:
        return False
    opening_dispatch(opening=offer.opening, now=now)
    return Offer.objects.filter(pk=offer_id, state=State.LAPSED).exists()


def offers_lapse_due(*, now: datetime | None = None) -> int:
    """Lapse every offer whose hold is over and move each opening on (the sweep behind a dead worker)."""
    now = now or timezone.now()
    opening_ids = (
        Offer.objects.filter(state=State.OFFERED, expires_at__lte=now)
        .values_list("opening_id", flat=True)
        .distinct()
        .order_by("opening_id")
    )
    count = 0
    for opening in Opening.objects.filter(pk__in=list(opening_ids)):
        count += opening.offers.filter(state=State.OFFERED, expires_at__lte=now).count()
        opening_dispatch(opening=opening, now=now)
    return count


def entry_offers_withdraw(*, entry: Entry, now: datetime, keep: Offer | None = None) -> int:
    """Withdraw the entry's live offers (it left, or took another time) inside the caller's transaction;
    once that commits, each of their openings goes on to the next person."""
    live = Offer.objects.filter(entry=entry, state=State.OFFERED)
    if keep is not None:
        live = live.exclude(pk=keep.pk)
    opening_ids = sorted(set(live.values_list("opening_id", flat=True)))
    count = live.update(state=State.WITHDRAWN, decided_at=now)
    for opening_id in opening_ids:
        transaction.on_commit(lambda opening_id=opening_id: dispatch_later(opening_id))
    return count


def dispatch_later(opening_id: int) -> None:
    """Queue another look at the opening (after an offer closed), for once the current transaction commits."""
    try:
        task_enqueue("waitlist.opening_dispatch", opening_id=opening_id)
    except Exception:
        logger.exception("Could not queue opening %s again; the waitlist sweep does not cover it", opening_id)


class OfferRefused(Exception):
    """Staff's offer by hand cannot go out; ``message`` says why, for the desk."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def offer_by_hand(
    *, entry: Entry, therapist: Therapist, starts_at: datetime, offered_by, now: datetime | None = None
) -> Offer:
    """Staff offer one free start to one waiting person, whatever their place in the queue.

    The time must be bookable online now (the person takes it through the booking page's rules);
    the person's windows and daily limit are staff's call. If the hold lapses, the time goes on to
    whoever the matching rules pick next, as for any opening.
    """
    now = now or timezone.now()
    policy, waitlist_policy = BookingPolicy.current(), WaitlistPolicy.current()
    entry = Entry.objects.select_related("service").get(pk=entry.pk)
    if entry.state != Entry.State.WAITING or entry.latest_on < now.astimezone(clinic_tz()).date():
        raise OfferRefused("This person is no longer waiting, so they can't be offered a time.")
    if entry.therapist_id is not None and entry.therapist_id != therapist.pk:
        raise OfferRefused(f"{entry.name} is waiting for {entry.therapist.name} only.")
    if Offer.objects.filter(entry=entry, starts_at=starts_at).exists():
        raise OfferRefused(f"{entry.name} has already been offered that time.")
    if entry.appointment_id is not None and starts_at >= entry.appointment.starts_at:
        raise OfferRefused("That time is not earlier than the booking this person wants to move.")
    slot = slot_find(
        service=entry.service,
        therapist=therapist,
        starts_at=starts_at,
        now=now,
        policy=policy,
        exclude_appointment_id=entry.appointment_id,
    )
    if slot is None:
        raise OfferRefused("That time is not free to book online now. Choose one of the free times.")
    with transaction.atomic():
        opening = Opening.objects.create(
            therapist=therapist,
            starts_at=slot.start,
            ends_at=slot.end + timedelta(minutes=entry.service.cleanup_minutes),
            reason="offered_by_hand",
            opened_at=now,
        )
        offer = _offer_make(
            opening=opening,
            match=Match(entry, slot),
            now=now,
            hold=timedelta(minutes=waitlist_policy.hold_minutes),
            notice=timedelta(minutes=policy.min_notice_minutes),
            by_staff=True,
            actor=Actor.staff(offered_by),
        )
        if offer is None:
            raise OfferRefused("That time starts too soon to hold it for anyone.")
    return offer
