"""Two people on the demo clinic's waitlist, joined through the waitlist's own service like anyone online.

Only when nobody is waiting yet, so seeding again changes nothing. They show on the desk's waitlist page, and a
cancellation in their window offers them the time.
"""

from datetime import timedelta

from django.utils import timezone

from bookings.models import Service, Therapist

from .entries import Contact, EntryRefused, Wish, entry_join
from .models import Entry

WAITING = [
    # name, email, service, therapist (None: anyone), parts of day, days from today to the first and last day
    ("Leo Brandt", "leo.brandt@example.com", "massage-60", None, ["morning"], 1, 14),
    ("Iris Novak", "iris.novak@example.com", "massage-90", "maya-okafor", ["afternoon", "evening"], 2, 21),
]


def seed(*, stdout) -> None:
    if Entry.objects.exists():
        return
    today = timezone.localdate()
    joined = 0
    for name, email, service_slug, therapist_slug, parts, first, last in WAITING:
        wish = Wish(
            service=Service.objects.get(slug=service_slug),
            therapist=Therapist.objects.filter(slug=therapist_slug).first() if therapist_slug else None,
            earliest_on=today + timedelta(days=first),
            latest_on=today + timedelta(days=last),
            parts_of_day=parts,
        )
        try:
            entry_join(wish=wish, contact=Contact(name=name, email=email, consent=True))
        except EntryRefused as refused:
            stdout.write(f"Waitlist: {name} not added ({refused}).")
            continue
        joined += 1
    stdout.write(f"Waitlist: {joined} people waiting.")
