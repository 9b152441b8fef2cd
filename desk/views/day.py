"""The desk's day grid and compact week."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from bookings.models import Appointment, Closure, Service, Therapist
from core.clinictime import clinic_time
from waitlist.selectors import entries_for_day

from ..access import desk_view
from ..grid import appointment_state, day_grid, day_summary
from .common import chosen_day, day_bounds, undo_context


def _waiting(the_day, grid) -> dict:
    """How many wait on the waitlist for the day, and for each therapist column (their own and "any" entries
    for a service they give), read in three queries whatever the number of columns."""
    entries = list(entries_for_day(day=the_day, today=timezone.localdate()).values_list("therapist_id", "service_id"))
    therapists = [column.therapist for column in grid.columns if column.therapist is not None]
    gives = set(
        Therapist.services.through.objects.filter(therapist__in=therapists).values_list("therapist_id", "service_id")
    )
    per_therapist = []
    for therapist in therapists:
        count = sum(
            1
            for wanted, service_id in entries
            if wanted == therapist.pk or (wanted is None and (therapist.pk, service_id) in gives)
        )
        if count:
            per_therapist.append({"therapist": therapist, "count": count})
    return {"count": len(entries), "per_therapist": per_therapist}


@desk_view
def day(request):
    the_day = chosen_day(request)
    by = "room" if request.GET.get("by") == "room" else "therapist"
    now = timezone.now()
    grid = day_grid(the_day, by=by, now=now)
    shortest = (
        Service.objects.filter(is_active=True)
        .order_by("duration_minutes")
        .values_list("duration_minutes", flat=True)
        .first()
    )
    context = {
        "desk_section": "day",
        "grid": grid,
        "day": the_day,
        "today": timezone.localdate(),
        "previous_day": the_day - timedelta(days=1),
        "next_day": the_day + timedelta(days=1),
        "summary": day_summary(grid, now=now, shortest_minutes=shortest or 30),
        "column_count": len(grid.columns),
        "now": now,
        "waiting": _waiting(the_day, grid),
        **undo_context(request),
    }
    return render(request, "desk/day.html", context)


@desk_view
def week(request):
    chosen = chosen_day(request)
    first = chosen - timedelta(days=chosen.weekday())
    days = [first + timedelta(days=offset) for offset in range(7)]
    start, _ = day_bounds(days[0])
    _, end = day_bounds(days[-1])
    appointments = (
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("service", "therapist", "client")
        .order_by("starts_at", "therapist__position")
    )
    closures = list(Closure.objects.filter(starts_on__lte=days[-1], ends_on__gte=days[0]))
    by_day = {d: [] for d in days}
    for appointment in appointments:
        appointment.state = appointment_state(appointment)
        appointment.time_label = clinic_time(appointment.starts_at)
        appointment.colour = appointment.service_id % 6
        by_day[timezone.localtime(appointment.starts_at).date()].append(appointment)
    week_days = [
        {
            "day": d,
            "appointments": by_day[d],
            "closed": next((c.reason for c in closures if c.starts_on <= d <= c.ends_on), ""),
        }
        for d in days
    ]
    context = {
        "desk_section": "week",
        "week_days": week_days,
        "first": first,
        "today": timezone.localdate(),
        "previous_week": first - timedelta(days=7),
        "next_week": first + timedelta(days=7),
        **undo_context(request),
    }
    return render(request, "desk/week.html", context)
