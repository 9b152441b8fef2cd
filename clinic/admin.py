"""The staff admin: password sign-in, plus a second factor for everyone who can read health data.

Who must use a second factor: superusers (``OTP_REQUIRED_FOR_SUPERUSERS``) and everyone who can
read a client's intake — the front desk and every therapist with an account
(``OTP_REQUIRED_FOR_HEALTH_DATA``); both are on by default in production. Anyone who has set up an
authenticator is asked for it too. Someone who must but has none is not signed in: the correct
password earns a ten-minute ticket to enrol in the browser (clinic/twofactor.py), and only a
confirmed code from the new authenticator signs them in.

Wrong passwords are limited twice: per username and address by django-axes, and per username
from any number of addresses by the ``staff:login_failures`` rate limit, so guessing cannot be
spread over many machines.
"""

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device
from django_otp.admin import OTPAdminAuthenticationForm

from bookings.access import is_front_desk, reads_health_data
from core.ratelimit import rate_limit_count, rate_limit_reached

from . import twofactor


def two_factor_required(user) -> bool:
    if user.is_superuser and settings.OTP_REQUIRED_FOR_SUPERUSERS:
        return True
    return bool(settings.OTP_REQUIRED_FOR_HEALTH_DATA and reads_health_data(user))


def needs_second_factor(user) -> bool:
    return user_has_device(user) or two_factor_required(user)


class StaffLoginForm(OTPAdminAuthenticationForm):
    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "too_many_failures": (
            "This account has had too many wrong passwords from different places, so signing in to it "
            "is paused for an hour. Ask the clinic's owner if you need in sooner."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        by = f"user:{username.lower()}"
        if username and rate_limit_reached(self.request, scope="staff:login_failures", by=by):
            raise forms.ValidationError(self.error_messages["too_many_failures"], code="too_many_failures")
        try:
            return super().clean()
        except forms.ValidationError as error:
            if self.get_user() is None and username:  # a wrong password, not a wrong code
                rate_limit_count(self.request, scope="staff:login_failures", by=by)
            raise error

    def clean_otp(self, user):
        if user is None or not needs_second_factor(user):
            return
        if not user_has_device(user):
            twofactor.enrolment_ticket_issue(self.request, user)
            raise forms.ValidationError(twofactor.enrol_first_message(), code="otp_device_missing")
        super().clean_otp(user)


class ClinicAdminSite(AdminSite):
    login_form = StaffLoginForm
    login_template = "otp/admin111/login.html"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        if user.is_verified():
            return True
        # The admin asks several times per page; look the devices up once per request.
        if not hasattr(request, "_clinic_needs_second_factor"):
            request._clinic_needs_second_factor = needs_second_factor(user)
        return not request._clinic_needs_second_factor

    def login(self, request, extra_context=None):
        """After signing in, the page asked for in ``?next=`` when it is on this site; without one (or with
        another site's), the front desk lands on today's grid and everyone else on the admin's index."""
        response = super().login(request, extra_context)
        signed_in = request.method == "POST" and response.status_code == 302 and request.user.is_authenticated
        if not signed_in:
            return response
        # The sign-in form always posts a ``next`` (the admin's index when none was asked for); one asked for
        # stays in the form's address too.
        index = reverse("admin:index", current_app=self.name)
        posted = request.POST.get("next", "")
        wanted = request.GET.get("next") or (posted if posted != index else "")
        safe = url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        if wanted and safe:
            return redirect(wanted)
        return redirect("desk:day") if is_front_desk(request.user) else redirect(index)

    def get_urls(self):
        own = [
            path("two-factor/enrol/", twofactor.enrol, name="two_factor_enrol"),
            path("two-factor/backup-codes/", self.admin_view(twofactor.backup_codes), name="two_factor_backup_codes"),
        ]
        return own + super().get_urls()
