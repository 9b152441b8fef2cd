"""The client's payment step: the card goes into a SetupIntent, then the payment at booking is charged to it.

Why a SetupIntent first, even for a deposit: the card is kept on file for a late-cancel or no-show
fee, and it is the one flow both Stripe.js and localstripe's stand-in confirm in the browser
(with 3-D Secure when the card asks for it). Then the server charges the saved card in one
confirmed PaymentIntent under the booking's idempotency key; if that charge needs 3-D Secure too,
the page asks the client to confirm it (``Outcome.action_secret``).

Every step is checked against the booking's own held row: a SetupIntent or PaymentIntent id from
another booking, an amount changed in the page, or a hold that ran out are refused, and nothing
is charged. The payment succeeds → the ledger entry (its idempotency key is the ProviderCall's)
→ the hold becomes a booking; the same success reported again (the redirect and the webhook)
changes nothing.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from bookings.holds import HoldLost, appointment_hold_confirm
from bookings.models import Appointment
from bookings.payment_terms import appointment_terms
from core.money import currency

from . import gateway
from .customers import card_on_file_record, stripe_customer_for
from .ledger import LedgerActor, ledger_entry_record
from .models import BookingCheckout, LedgerEntry, ProviderCall
from .prepaid_selectors import prepaid_for_appointment
from .receipts import receipt_email_queue
from .refunds import payment_refund


@dataclass(frozen=True)
class Checkout:
    appointment: Appointment
    client_secret: str
    amount_due: int


@dataclass(frozen=True)
class Outcome:
    confirmed: bool = False
    action_secret: str = ""  # the PaymentIntent's secret when the charge waits for 3-D Secure
    error: str = ""
    lost: bool = False  # the hold was released: nothing was (or stays) charged


class CheckoutRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def checkout_open(*, appointment: Appointment) -> Checkout:
    """The SetupIntent the payment page confirms for this held booking, made on the first visit."""
    existing = BookingCheckout.objects.filter(appointment=appointment).first()
    if existing is None:
        customer_id = stripe_customer_for(client=appointment.client)
        intent = gateway.setup_intent_create(
            customer_id=customer_id,
            metadata={"appointment": str(appointment.pk)},
            idempotency_key=f"checkout:{appointment.pk}",
        )
        try:
            with transaction.atomic():
                existing = BookingCheckout.objects.create(
                    appointment=appointment, customer_id=customer_id, setup_intent_id=intent.id
                )
        except IntegrityError:
            existing = BookingCheckout.objects.get(appointment=appointment)
    intent = gateway.setup_intent_get(existing.setup_intent_id)
    return Checkout(appointment=appointment, client_secret=intent.client_secret, amount_due=checkout_due(appointment))


def checkout_card_saved(*, appointment: Appointment, setup_intent_id: str) -> Outcome:
    """The client's card is saved (Stripe.js said so): check it, keep it, charge what is due, confirm the booking."""
    checkout = BookingCheckout.objects.filter(appointment=appointment).first()
    if checkout is None or checkout.setup_intent_id != setup_intent_id:
        raise CheckoutRefused("That card confirmation is not for this booking. Please enter your card again.")
    current = Appointment.objects.get(pk=appointment.pk)
    if current.status == Appointment.Status.BOOKED:
        return Outcome(confirmed=True)
    if current.status != Appointment.Status.HELD:
        return Outcome(lost=True)
    intent = gateway.setup_intent_get(setup_intent_id)
    if intent.status != "succeeded" or not intent.payment_method_id:
        raise CheckoutRefused("Your card has not been confirmed yet. Please enter it again.")
    card_on_file_record(
        client=current.client,
        appointment=current,
        customer_id=checkout.customer_id,
        setup_intent_id=setup_intent_id,
        payment_method_id=intent.payment_method_id,
    )
    due = checkout_due(current)
    if due == 0:
        return _confirm(current)
    return _charge(current, customer_id=checkout.customer_id, payment_method_id=intent.payment_method_id, amount=due)


def _charge(appointment: Appointment, *, customer_id: str, payment_method_id: str, amount: int) -> Outcome:
    key = f"booking-payment:{appointment.pk}:{payment_method_id}"
    call = ProviderCall.objects.filter(idempotency_key=key).first()
    if call is None:
        try:
            with transaction.atomic():
                call = ProviderCall.objects.create(
                    idempotency_key=key,
                    purpose=ProviderCall.Purpose.BOOKING_PAYMENT,
                    amount=amount,
                    currency=currency(),
                    appointment=appointment,
                    client=appointment.client,
                )
        except IntegrityError:
            # Another payment for this booking is in flight or made (a double submit with another card).
            live = ProviderCall.objects.filter(appointment=appointment, purpose="booking_payment").exclude(
                status="failed"
            )
            call = live.first()
            if call is None or call.idempotency_key != key:
                return Outcome(error="A payment for this booking is already under way. Please wait a moment.")
    if call.status == ProviderCall.Status.SUCCEEDED:
        return _confirm(appointment)
    try:
        intent = gateway.payment_intent_create(
            amount=call.amount,
            customer_id=customer_id,
            payment_method_id=payment_method_id,
            metadata={"appointment": str(appointment.pk), "idempotency_key": key},
            idempotency_key=key,
        )
    except gateway.CardDeclined as declined:
        _call_status(call, ProviderCall.Status.FAILED, error=declined.message)
        return Outcome(error=declined.message)
    except gateway.GatewayError:
        return Outcome(error="We could not reach the card processor. Nothing was charged; please try again.")
    return booking_payment_settle(call=call, intent=intent)


def checkout_payment_authenticated(*, appointment: Appointment, payment_intent_id: str) -> Outcome:
    """The client finished 3-D Secure for the charge: settle it from Stripe's own answer, never the page's."""
    call = ProviderCall.objects.filter(
        appointment=appointment, purpose="booking_payment", stripe_id=payment_intent_id
    ).first()
    if call is None:
        raise CheckoutRefused("That payment is not for this booking.")
    return booking_payment_settle(call=call, intent=gateway.payment_intent_get(payment_intent_id))


def booking_payment_settle(*, call: ProviderCall, intent: gateway.Intent) -> Outcome:
    """Bring a booking payment in line with Stripe's answer: record it once, confirm the hold, or refund a lost one."""
    if intent.amount != call.amount or (call.stripe_id and call.stripe_id != intent.id):
        _call_status(call, ProviderCall.Status.FAILED, error="Stripe's answer did not match this payment.")
        return Outcome(error="That payment did not match this booking. Nothing more was charged.")
    if not call.stripe_id:
        call.stripe_id = intent.id
        call.save(update_fields=["stripe_id", "updated_at"])
    if intent.status == "requires_action":
        _call_status(call, ProviderCall.Status.REQUIRES_ACTION)
        return Outcome(action_secret=intent.client_secret)
    if intent.status != "succeeded":
        _call_status(call, ProviderCall.Status.FAILED, error=intent.error_message)
        return Outcome(error=intent.error_message or "Your card was not charged. Please try another card.")
    entry = ledger_entry_record(
        kind=LedgerEntry.Kind.CHARGE,
        amount=call.amount,
        method=LedgerEntry.Method.CARD,
        idempotency_key=call.idempotency_key,
        actor=LedgerActor.client(),
        appointment=call.appointment,
        client=call.client,
        stripe_id=intent.id,
        note="Payment at booking",
    )
    _call_status(call, ProviderCall.Status.SUCCEEDED)
    outcome = _confirm(call.appointment)
    if outcome.lost:
        payment_refund(entry=entry, amount=entry.amount, actor=LedgerActor.system(), reason="Held time was released")
    else:
        receipt_email_queue(entry=entry)
    return outcome


def checkout_due(appointment: Appointment) -> int:
    """What the card pays at booking: nothing once a package credit pays; the terms' amount less gift cards."""
    prepaid = prepaid_for_appointment(appointment)
    if prepaid.package is not None:
        return 0
    return max(0, appointment_terms(appointment).due_at_booking - prepaid.gift_card_taken)


def checkout_hold_confirm(appointment: Appointment) -> Outcome:
    """Confirm the hold once it is paid for, by card or otherwise (``bookings.holds``: once, whoever asks)."""
    return _confirm(appointment)


def _confirm(appointment: Appointment) -> Outcome:
    try:
        appointment_hold_confirm(appointment=appointment)
    except HoldLost:
        return Outcome(lost=True)
    return Outcome(confirmed=True)


def _call_status(call: ProviderCall, status: str, *, error: str = "") -> None:
    if call.status == ProviderCall.Status.SUCCEEDED:
        return
    call.status = status
    call.error = error[:500]
    call.save(update_fields=["status", "error", "updated_at"])
