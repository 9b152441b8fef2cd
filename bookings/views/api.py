import json
from datetime import UTC, datetime
from functools import lru_cache

from django.http import HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from core.clinictime import clinic_isoformat, clinic_times_iso, clocks_change_on, wall_clock_label
from core.ratelimit import rate_limit_exceeded

from ..availability import MAX_RANGE_DAYS, Openings, clinic_tz, openings_available
from ..params import parse_date
from ..selectors import availability_kept


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
    policy, setting = availability_kept(service_slug)
    if setting is None:
        return _error(f"Unknown service '{service_slug[:120]}'.")
    therapist = None
    therapist_slug = request.GET.get("therapist", "")
    if therapist_slug and therapist_slug != "any":
        # The setting's team is who is bookable online for the service.
        therapist = next((t for t in setting.therapists if t.slug == therapist_slug), None)
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
    found = openings_available(
        service=setting.service,
        therapist=therapist,
        start=start,
        end=end,
        policy=policy,
        others=False,
        with_rooms=False,
        setting=setting,
    )
    return HttpResponse(_availability_json(found), content_type="application/json")


def _availability_json(found: Openings) -> str:
    """``{"timezone": …, "slots": [{"start", "end", "label", "therapist"}, …]}`` as JsonResponse writes it.

    A month has hundreds of times: each row is one string built from pieces already JSON. On a day
    the clocks keep one offset from its first instant to its last, so a time's ISO form and label
    come from its seconds since local midnight, and the pieces for each such second are made once
    per offset; only a day the clocks change converts each time.
    """
    tz, language = clinic_tz(), get_language()
    duration = found.duration
    slugs = [json.dumps(therapist.slug) for therapist in found.therapists]
    pieces_by_offset: dict[str, dict[int, tuple[str, str]]] = {}
    rows = []
    for day, times in found.days:
        if clocks_change_on(day):
            starts = [datetime.fromtimestamp(moment, UTC) for moment, *_ in times]
            for (moment, index, *_), (start, label) in zip(times, clinic_times_iso(starts), strict=True):
                end = clinic_isoformat(datetime.fromtimestamp(moment + duration, UTC))
                rows.append(
                    f'{{"start": "{start}", "end": "{end}", "label": {json.dumps(label)}, "therapist": {slugs[index]}}}'
                )
            continue
        first = datetime.fromtimestamp(times[0][0], tz)
        offset = int(first.utcoffset().total_seconds())
        prefix, suffix = f"{day.isoformat()}T", first.isoformat()[19:]  # after "YYYY-MM-DDTHH:MM:SS": the offset
        # A session ends by its day's closing time: on the same day, at the same offset.
        pieces = pieces_by_offset.setdefault(suffix, {})
        for moment, index, _, _ in times:
            second = (moment + offset) % 86400
            piece = pieces.get(second)
            if piece is None:
                piece = pieces[second] = _row_pieces(second, second + duration, suffix, language)
            start, end = piece
            rows.append(f'{{"start": "{prefix}{start}{prefix}{end}{slugs[index]}}}')
    return f'{{"timezone": {json.dumps(str(tz))}, "slots": [{", ".join(rows)}]}}'


@lru_cache(maxsize=4096)
def _row_pieces(start: int, end: int, suffix: str, language: str | None) -> tuple[str, str]:
    """A row's text after each of its two dates, for a session from ``start`` to ``end`` seconds after local
    midnight: the start's time up to the end's date, and the end's time, label and key up to the therapist.

    The same few hundred are asked for by every month, so each is made once per process."""

    def clock(seconds: int) -> str:
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{suffix}"

    label = json.dumps(wall_clock_label(start // 3600, start // 60 % 60, language))
    return f'{clock(start)}", "end": "', f'{clock(end)}", "label": {label}, "therapist": '
