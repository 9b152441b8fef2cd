import json
from datetime import datetime

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from core.clinictime import clinic_isoformat, clinic_times_iso
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

    # The API names only the therapist a booking would go to, not everyone else free then.
    slots = slots_available(service=service, therapist=therapist, start=start, end=end, others=False)
    return HttpResponse(_availability_json(slots), content_type="application/json")


def _availability_json(slots: list[Slot]) -> str:
    """``{"timezone": …, "slots": [{"start", "end", "label", "therapist"}, …]}`` as JsonResponse writes it.

    A month has hundreds of slots: each row is one string built from pieces already JSON (a start is
    also most slots' end, a therapist's slug recurs), rather than a dict the encoder walks.
    """
    pairs = clinic_times_iso([slot.start for slot in slots])
    iso: dict[datetime, str] = {slot.start: start for slot, (start, _) in zip(slots, pairs, strict=True)}
    texts: dict[str, str] = {}  # label or slug → its JSON string
    rows = []
    for slot, (start, label) in zip(slots, pairs, strict=True):
        end = iso.get(slot.end)
        if end is None:
            end = iso[slot.end] = clinic_isoformat(slot.end)
        label_json = texts.get(label)
        if label_json is None:
            label_json = texts[label] = json.dumps(label)
        slug = slot.therapist.slug
        slug_json = texts.get(slug)
        if slug_json is None:
            slug_json = texts[slug] = json.dumps(slug)
        rows.append(f'{{"start": "{start}", "end": "{end}", "label": {label_json}, "therapist": {slug_json}}}')
    return f'{{"timezone": {json.dumps(str(clinic_tz()))}, "slots": [{", ".join(rows)}]}}'
