"""How a booking was paid, in sentences, for bookings' summary and emails: one registry, so bookings never imports
payments.

The payments app registers ``summary(appointment) -> list[str]`` at start-up (PaymentsConfig.ready): plain
sentences such as "Paid with a credit from 5 × 60-minute massage: 4 of 5 credits left.". An empty list (nothing
paid, no card kept, no app registered, or payments off) means the booking's terms say it all.
"""

from collections.abc import Callable

from .money import payments_enabled

_summary: Callable[[object], list[str]] | None = None


def payment_summary_register(summary: Callable[[object], list[str]]) -> None:
    global _summary
    _summary = summary


def payment_summary(appointment) -> list[str]:
    if _summary is None or appointment is None or not payments_enabled():
        return []
    return _summary(appointment)
