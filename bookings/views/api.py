from datetime import datetime

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from core.clinictime import clinic_times
from core.ratelimit import rate_limit_exceeded

from ..availability import MAX_RANGE_DAYS, Slot, clinic_tz, slots_available
from ..params import parse_date
from ..selectors import services_active, therapists_bookable


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
def availability(request):
    """``GET /api/availability/?service=<slug>&therapist=<slug, omitted for any>&start=YYYY-MM-DD&end=YYYY-MM-DD``"""
    if rate_limit_exceeded(request, scope="bookings:api"):
        return _error("Too many requests; please slow down.", 429)
    service_slug = request.GET.get("service", "")
    if not service_slug:
        return _error("The 'service' parameter is required.")
    service = services_active().filter(slug=service_slug[:120]).first()
    if service is None:
        return _error(f"Unknown service '{service_slug[:120]}'.")
    therapist = None
    therapist_slug = request.GET.get("therapist", "")
    if therapist_slug and therapist_slug != "any":
        therapist = therapists_bookable(service=service).filter(slug=therapist_slug[:120]).first()
        if therapist is None:
            return _error(f"Unknown therapist '{therapist_slug[:120]}' for this service.")
    start = parse_date(request.GET.get("start", ""))
    end = parse_date(request.GET.get("end", ""))
    if start is None or end is None:
        return _error("'start' and 'end' are required dates in the form YYYY-MM-DD, between the years 1900 and 2999.")
    if end < start:
        return _error("'end' must not be before 'start'.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return _error(f"Ask for at most {MAX_RANGE_DAYS} days at a time.")

    slots = slots_available(service=service, therapist=therapist, start=start, end=end)
    return JsonResponse({"timezone": str(clinic_tz()), "slots": _slots_json(slots)})


def _slots_json(slots: list[Slot]) -> list[dict]:
    """The slots as the API writes them: start and end in the clinic's zone (ISO 8601), the start's label."""
    tz = clinic_tz()
    labels = clinic_times(slot.start for slot in slots)
    local: dict[datetime, str] = {}  # a month has a few hundred distinct times, and one slot's end is another's start
    rows = []
    for slot, label in zip(slots, labels, strict=True):
        start = local.get(slot.start)
        if start is None:
            start = local[slot.start] = slot.start.astimezone(tz).isoformat()
        end = local.get(slot.end)
        if end is None:
            end = local[slot.end] = slot.end.astimezone(tz).isoformat()
        rows.append({"start": start, "end": end, "label": label, "therapist": slot.therapist.slug})
    return rows
