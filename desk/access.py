"""Who may use the desk: active staff in the Front desk group (and superusers), signed in with their second
factor when the admin asks for one (``admin.site.has_permission``), since every desk page shows client data."""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from bookings.access import is_front_desk
from bookings.models import Therapist
from core.money import payments_enabled


def desk_view(view):
    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff) or not admin.site.has_permission(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not is_front_desk(user):
            if Therapist.objects.filter(user=user).exists():
                return redirect("bookings:staff_schedule")  # a therapist's own schedule and feed
            raise PermissionDenied("The front desk is for the Front desk group.")
        request.front_desk = True
        request.payments_on = payments_enabled()  # the desk's money links and pages exist only with payments on
        return view(request, *args, **kwargs)

    return wrapped
