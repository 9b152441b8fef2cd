"""The old staff schedule's addresses: the front desk's pages there now open in the desk; therapists keep theirs.

Only the pages move (GET); a form already open on an old page still posts to its own view.
"""

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode

from bookings.access import is_front_desk
from bookings.models import Appointment
from bookings.views import staff

from .common import chosen_day


def _for_front_desk(request) -> bool:
    return request.method == "GET" and request.user.is_authenticated and is_front_desk(request.user)


def schedule(request):
    if not _for_front_desk(request):
        return staff.schedule(request)
    day = chosen_day(request)
    name = "desk:week" if request.GET.get("view") == "week" else "desk:day"
    params = {"date": day.isoformat()}
    if request.GET.get("room"):
        params["by"] = "room"
    return redirect(f"{reverse(name)}?{urlencode(params)}")


def appointment_new(request):
    return redirect("desk:book") if _for_front_desk(request) else staff.appointment_new(request)


def appointment_move(request, pk):
    if not _for_front_desk(request):
        return staff.appointment_move(request, pk)
    get_object_or_404(Appointment, pk=pk)
    return redirect("desk:move", pk=pk)
