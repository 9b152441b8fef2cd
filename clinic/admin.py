"""The staff admin: password login, plus a TOTP code for staff who set up two-factor.

Two-factor is optional for staff and required for superusers when
``OTP_REQUIRED_FOR_SUPERUSERS`` is on (the default in production).
"""

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp import user_has_device
from django_otp.admin import OTPAdminAuthenticationForm


def two_factor_required(user) -> bool:
    return bool(user.is_superuser and settings.OTP_REQUIRED_FOR_SUPERUSERS)


def needs_second_factor(user) -> bool:
    return two_factor_required(user) or user_has_device(user)


class StaffLoginForm(OTPAdminAuthenticationForm):
    def clean_otp(self, user):
        if user is None or not needs_second_factor(user):
            return
        if two_factor_required(user) and not user_has_device(user):
            raise _no_device_error()
        super().clean_otp(user)


def _no_device_error() -> forms.ValidationError:
    return forms.ValidationError(
        "This account must use two-factor sign-in, and no authenticator is set up for it yet. "
        "Run `python manage.py staff_totp_setup <username>` on the server to add one.",
        code="otp_device_missing",
    )


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
