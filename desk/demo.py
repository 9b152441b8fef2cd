"""A busy day at the desk for the demo clinic: the team's next working day, full from opening to closing.

Booked through the booking services like any phone booking, so the grid, the clients' records and
the history are what a real day leaves. The morning has already happened when it is today: sessions
completed, one no-show, one client checked in and one cancelled. Only when the day has no sessions
yet, so seeding again changes nothing.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from bookings.availability import clinic_tz, slots_available
from bookings.demo import STAFF_USERNAME
from bookings.models import Appointment, Closure, Service, Therapist, WorkingHours
from bookings.refusals import StartRefused
from bookings.services import ClientDetails, appointment_book
from bookings.status_changes import appointment_cancel, appointment_mark
from bookings.undo import appointment_check_in
from clients.models import Client
from clients.services import client_update

FIRST_NAMES = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "June", "Kai", "Lena", "Milo", "Nia"]
LAST_NAMES = ["Silva", "Okoro", "Marsh", "Patel", "Novak", "Reid", "Lund", "Mori", "Costa", "Byrne"]
INTAKES = [
    {"areas_to_avoid": "Lower back, please go gently."},
    {"medications": "Blood thinners (warfarin)."},
    {"allergies": "Nut oils."},
    {"injuries": "Sprained left ankle in March."},
    {},
    {},
]


def _busy_day():
    today = timezone.localdate()
    for offset in range(14):
        day = today + timedelta(days=offset)
        if Closure.objects.filter(starts_on__lte=day, ends_on__gte=day).exists():
            continue
        if WorkingHours.objects.filter(weekday=day.weekday(), therapist__is_active=True).count() >= 3:
            return day
    return None


def seed(*, stdout) -> None:
    day = _busy_day()
    staff = get_user_model().objects.filter(username=STAFF_USERNAME).first()
    if day is None or staff is None:
        return
    tz = clinic_tz()
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    if Appointment.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1)).count() > 10:
        return
    services = list(Service.objects.filter(is_active=True).order_by("duration_minutes"))
    booked = []
    number = 0
    for therapist in Therapist.objects.filter(is_active=True):
        offered = [service for service in services if therapist.services.filter(pk=service.pk).exists()]
        if not offered:
            continue
        moment = None
        while True:
            options = {"ignore_notice": True, "allow_past": True, "online_only": False}
            found = None
            for turn in range(len(offered)):  # the earliest next start, services taking turns on a tie
                service = offered[(number + turn) % len(offered)]
                free = [
                    slot
                    for slot in slots_available(service=service, therapist=therapist, start=day, end=day, **options)
                    if moment is None or slot.start >= moment
                ]
                if free and (found is None or free[0].start < found[1].start):
                    found = service, free[0]
            if found is None:
                break
            service, slot = found
            first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]
            no_email = number % 5 == 4
            details = ClientDetails(
                name=f"{first} {last}",
                email="" if no_email else f"{first.lower()}.{last.lower()}@example.com",
                phone=f"(617) 555-{1000 + number:04d}",
                consent=True,
                **INTAKES[number % len(INTAKES)],
            )
            try:
                booked.append(
                    appointment_book(
                        service=service,
                        therapist=therapist,
                        starts_at=slot.start,
                        client=details,
                        source=Appointment.Source.STAFF,
                        booked_by=staff,
                        ignore_notice=True,
                        allow_past=True,
                    )
                )
            except StartRefused:
                break
            moment = slot.start + timedelta(minutes=service.duration_minutes + service.cleanup_minutes)
            number += 1
    _the_morning(booked, staff)
    for client in Client.objects.filter(appointments__in=booked[:3]).distinct():
        client_update(client=client, details={"notes": "Prefers firm pressure; likes the room warm."}, changed_by=staff)
    stdout.write(
        f"Front desk: {len(booked)} sessions on {day:%A} {day.day} {day:%B} for the desk's day grid (/staff/)."
    )


def _the_morning(booked: list[Appointment], staff) -> None:
    """What has happened by now, when the busy day is today."""
    now = timezone.now()
    started = [a for a in booked if a.starts_at <= now]
    for index, appointment in enumerate(started):
        appointment_mark(
            appointment=appointment, status="no_show" if index == 1 else "completed", changed_by=staff, now=now
        )
    upcoming = [a for a in booked if a.starts_at > now]
    today = now.astimezone(clinic_tz()).date()
    if upcoming and upcoming[0].starts_at.astimezone(clinic_tz()).date() == today:
        appointment_check_in(appointment=upcoming[0], changed_by=staff, now=now)
    if len(upcoming) > 3:
        appointment_cancel(
            appointment=upcoming[3], by_client=False, changed_by=staff, reason="Client ill, called ahead"
        )
