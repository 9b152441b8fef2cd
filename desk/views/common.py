from datetime import datetime, time, timedelta

from django.utils import timezone

from bookings.availability import clinic_tz
from bookings.models import Appointment
from bookings.params import EARLIEST_DATE, LATEST_DATE, parse_date
from bookings.refusals import Reason
from bookings.undo import UNDO_WINDOW
from core.clinictime import clinic_time

UNDO_KEY = "desk_undo"


BOOKING_PARAMS = ("therapist", "room", "service", "start", "date", "walk_in")


def booking_params(query) -> dict:
    """The booking form's own parameters in its URL (a therapist, a time, a service: nothing about a client),
    which a client search on the form keeps and its results carry along; any other parameter is dropped."""
    return {key: query[key][:120] for key in BOOKING_PARAMS if query.get(key)}


def chosen_day(request):
    """The day asked for in ``?date=`` (today when missing or unreadable), kept within the desk's reach."""
    today = timezone.localdate()
    day = parse_date(request.GET.get("date", "")) or today
    if abs((day - today).days) > 3 * 366:
        return today
    return day


def day_url(day) -> str:
    from django.urls import reverse

    return f"{reverse('desk:day')}?date={day.isoformat()}"


def local_start(appointment: Appointment) -> datetime:
    return timezone.localtime(appointment.starts_at, clinic_tz())


def undo_offer(request, *, appointment: Appointment, text: str) -> None:
    request.session[UNDO_KEY] = {"pk": appointment.pk, "text": text, "at": timezone.now().timestamp()}


def undo_context(request) -> dict:
    """The banner offering to undo the desk's last change, while the window lasts."""
    offer = request.session.get(UNDO_KEY)
    minutes = int(UNDO_WINDOW.total_seconds() // 60)
    if not offer or timezone.now().timestamp() - offer.get("at", 0) > UNDO_WINDOW.total_seconds():
        return {}
    return {"undo": offer, "undo_minutes": minutes}


def day_bounds(day):
    tz = clinic_tz()
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def parse_start(value: str) -> datetime | None:
    """A start as the grid's links carry it: an ISO local time with its offset (which keeps DST's repeated hour apart)."""
    try:
        moment = datetime.fromisoformat(value[:40])
    except ValueError:
        return None
    if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:  # converting year 1 or 9999 would overflow
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clinic_tz())
    return moment.astimezone(clinic_tz())


def record_id(value) -> int | None:
    """A record's id from a URL or form: ASCII digits that fit the database's integer, else None
    (``str.isdigit`` also says yes to "²", which ``int`` refuses)."""
    value = str(value or "")
    if not (value.isascii() and value.isdecimal()) or len(value) > 18:
        return None
    return int(value)


def picked_time(post):
    """A click on one of the offered free times: the same form again with that time (and its therapist),
    so nothing typed is lost."""
    moment, _, therapist = post.get("pick", "").partition("|")
    start = parse_start(moment)
    if start is None:
        return post
    data = post.copy()
    data["date"], data["time"] = start.date().isoformat(), start.strftime("%H:%M")
    if record_id(therapist) is not None:
        data["therapist"] = therapist
    return data


def refusal_text(error) -> str:
    """The services' reason for refusing a start, worded for the desk: a taken time has been taken for a while."""
    if error.reason == Reason.TAKEN:
        nearest = " The nearest free times:" if error.alternatives else " There is no free time nearby."
        return f"Someone is already booked then (or every suitable room is in use).{nearest}"
    return error.message


def alternative_choices(slots) -> list[dict]:
    return [
        {
            "value": f"{slot.local_start.isoformat(timespec='minutes')}|{slot.therapist.pk}",
            "label": f"{slot.local_start:%a} {slot.local_start.day} {slot.local_start:%b} {clinic_time(slot.start)} "
            f"with {slot.therapist.name}",
        }
        for slot in slots
    ]
