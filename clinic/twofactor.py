"""Enrolling a second factor in the browser: an authenticator app (TOTP) and ten backup codes.

Someone who must use two-factor sign-in but has no authenticator yet gives their username and
password on the sign-in page as usual. That proves the password, not the person, so it does not
sign them in: it puts a ticket in their session, good for ``ENROL_TICKET_SECONDS``, that opens the
enrolment page for that account only. The page shows a QR code and the key to type by hand; the
first code the app shows confirms the device, signs them in with it, and shows ten single-use
backup codes, once.
"""

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

ENROL_TICKET_SECONDS = 10 * 60
BACKUP_CODE_COUNT = 10
_TICKET = "clinic_two_factor_enrol"
_NEW_CODES = "clinic_two_factor_new_codes"
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def enrol_first_message() -> str:
    return format_html(
        "This account must use two-factor sign-in, and no authenticator is set up for it yet. "
        '<a href="{}">Set up your authenticator app now</a> (the link works for ten minutes).',
        reverse("admin:two_factor_enrol"),
    )


def enrolment_ticket_issue(request, user) -> None:
    """Called once the password is proven right for an account that must enrol first."""
    request.session[_TICKET] = {"user": user.pk, "at": time.time()}


def enrolment_ticket_user(request):
    ticket = request.session.get(_TICKET)
    if not ticket or time.time() - ticket.get("at", 0) > ENROL_TICKET_SECONDS:
        return None
    return get_user_model().objects.filter(pk=ticket.get("user"), is_active=True, is_staff=True).first()


class ConfirmCodeForm(forms.Form):
    otp_token = forms.CharField(
        label="The 6-digit code your app shows now",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _typed_key(device: TOTPDevice) -> str:
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _backup_codes_new(user) -> list[str]:
    """Replace the user's backup codes with fresh ones; each signs in once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    user = enrolment_ticket_user(request)
    if user is None:
        messages.error(request, "Sign in with your password first; the set-up link lasts ten minutes.")
        return redirect("admin:login")
    # One device being set up at a time, kept across reloads so the QR code stays the same.
    device = TOTPDevice.objects.filter(user=user, name=APP_DEVICE_NAME, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _backup_codes_new(user)
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])  # a new session: the ticket goes
            otp_login(request, device)
            request.session[_NEW_CODES] = {"codes": codes, "first": True}
            return redirect("admin:two_factor_backup_codes")
        form.add_error(
            "otp_token",
            "That code does not match. Check the app shows this account, wait for the next code and type it.",
        )
    context = {
        **admin.site.each_context(request),
        "title": "Set up two-factor sign-in",
        "form": form,
        "account": user.get_username(),
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - made by qrcode from our own URL
        "typed_key": _typed_key(device),
    }
    return _no_store(render(request, "admin/two_factor/enrol.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """For a signed-in member of staff: the codes just made (once), or how many are left and a button
    that makes a fresh set (the old ones stop working)."""
    if request.method == "POST":
        request.session[_NEW_CODES] = {"codes": _backup_codes_new(request.user), "first": False}
        return redirect("admin:two_factor_backup_codes")
    context = {**admin.site.each_context(request), "title": "Backup codes"}
    new = request.session.pop(_NEW_CODES, None)  # shown once, then gone from the session too
    if new:
        context.update(codes=new["codes"], new=new["first"])
    else:
        context["remaining"] = StaticToken.objects.filter(
            device__user=request.user, device__name=BACKUP_DEVICE_NAME
        ).count()
    return _no_store(render(request, "admin/two_factor/backup_codes.html", context))
