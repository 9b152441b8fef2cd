from django.http import JsonResponse
from django.views.decorators.http import require_GET

from core.clinictime import clinic_times
from core.ratelimit import rate_limit_exceeded

from ..availability import MAX_RANGE_DAYS, clinic_tz, slots_available
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
    labels = clinic_times(slot.local_start for slot in slots)
    return JsonResponse(
        {
            "timezone": str(clinic_tz()),
            "slots": [
                {
                    "start": slot.local_start.isoformat(),
                    "end": slot.local_end.isoformat(),
                    "label": label,
                    "therapist": slot.therapist.slug,
                }
                for slot, label in zip(slots, labels, strict=True)
            ],
        }
    )
