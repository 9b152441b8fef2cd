"""The step after the booking details when a booking is to be paid for: one registry, so bookings never imports payments.

The payments app registers the address of its payment step at start-up (PaymentsConfig.ready). Bookings
asks ``payment_step_url()`` after it has held the time; None (no app registered, or payments off)
means the booking is confirmed at once, as it always was.
"""

from collections.abc import Callable

from .money import payments_enabled

_step: Callable[[], str] | None = None


def payment_step_register(url: Callable[[], str]) -> None:
    global _step
    _step = url


def payment_step_url() -> str | None:
    if _step is None or not payments_enabled():
        return None
    return _step()
