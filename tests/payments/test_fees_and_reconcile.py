"""Late cancels per the policy, fees charged once, and reconciliation after a crash, against localstripe."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bookings.models import Appointment, BookingPolicy
from bookings.status_changes import appointment_cancel
from payments import gateway
from payments.fees import appointment_fee_charge
from payments.ledger import LedgerActor
from payments.models import LedgerEntry, LedgerRefused, ProviderCall
from payments.reconcile import payments_reconcile
from payments.selectors import appointment_paid

from .test_checkout import pay, to_payment_step

pytestmark = pytest.mark.django_db


def booked_with_deposit(client, stripe_on, capture, *, deposit=2000, **policy):
    from .scene import paying_clinic

    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=deposit)
    if policy:
        BookingPolicy.objects.update(**policy)
    _, step, held = to_payment_step(client, service, therapist)
    with capture(execute=True):
        pay(client, stripe_on, step)
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED
    return held


def cancel_late(appointment, capture):
    BookingPolicy.objects.update(cancel_cutoff_hours=24 * 30)  # the session is now inside the cutoff
    with capture(execute=True):
        appointment_cancel(appointment=appointment, by_client=False)


def test_a_late_cancel_keeps_the_deposit_and_charges_the_rest_of_the_fee(
    client, stripe_on, django_capture_on_commit_callbacks
):
    appointment = booked_with_deposit(client, stripe_on, django_capture_on_commit_callbacks)
    cancel_late(appointment, django_capture_on_commit_callbacks)
    fee = LedgerEntry.objects.get(kind="fee")
    assert (fee.amount, fee.note) == (2500, "Late-cancel fee")  # 50% of $90.00, less the $20.00 deposit
    assert not LedgerEntry.objects.filter(kind="refund").exists()
    assert appointment_paid(appointment) == 4500


def test_a_late_cancel_with_a_deposit_above_the_fee_refunds_the_difference(
    client, stripe_on, django_capture_on_commit_callbacks
):
    appointment = booked_with_deposit(client, stripe_on, django_capture_on_commit_callbacks, deposit=6000)
    cancel_late(appointment, django_capture_on_commit_callbacks)
    assert LedgerEntry.objects.get(kind="refund").amount == -1500
    assert appointment_paid(appointment) == 4500


def test_credit_instead_of_a_refund_when_the_policy_says_so(client, stripe_on, django_capture_on_commit_callbacks):
    appointment = booked_with_deposit(client, stripe_on, django_capture_on_commit_callbacks, refund_as_credit=True)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, by_client=True)
    assert not LedgerEntry.objects.filter(kind="refund").exists()
    credit = LedgerEntry.objects.get(kind="credit")
    assert (credit.amount, credit.client) == (2000, appointment.client)


def test_a_policy_changed_to_credit_after_booking_still_refunds_as_the_client_was_told(
    client, stripe_on, django_capture_on_commit_callbacks
):
    appointment = booked_with_deposit(client, stripe_on, django_capture_on_commit_callbacks)
    BookingPolicy.objects.update(refund_as_credit=True, late_cancel_fee_percent=100)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, by_client=True)
    assert LedgerEntry.objects.get(kind="refund").amount == -2000
    assert not LedgerEntry.objects.filter(kind="credit").exists()


@pytest.mark.django_db(transaction=True)
def test_two_staff_charging_the_same_no_show_fee_at_once_charge_once(client, stripe_on):
    from .scene import paying_clinic

    service, (therapist,) = paying_clinic(payment_at_booking="card")
    _, step, held = to_payment_step(client, service, therapist)
    pay(client, stripe_on, step)
    barrier, outcomes = threading.Barrier(2), [None, None]

    def charge(index):
        try:
            barrier.wait()
            outcomes[index] = appointment_fee_charge(
                appointment=held, kind="no_show", amount=9000, actor=LedgerActor.system()
            )
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=charge, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    charged = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, LedgerRefused)]
    assert len(charged) == 1 and len(refused) == 1, outcomes
    assert LedgerEntry.objects.filter(kind="fee").count() == 1
    with pytest.raises(LedgerRefused, match="already charged"):
        appointment_fee_charge(appointment=held, kind="no_show", amount=9000, actor=LedgerActor.system())


def test_a_crash_after_stripe_charged_is_repaired_by_reconciliation(
    client, stripe_on, django_capture_on_commit_callbacks
):
    from .scene import paying_clinic

    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    _, step, held = to_payment_step(client, service, therapist)
    # The site wrote its call, Stripe charged the card, and the site died before it heard the answer.
    from payments.models import BookingCheckout

    checkout = BookingCheckout.objects.get(appointment=held)
    from .conftest import stripe_js_confirm_setup
    from .test_checkout import SetupIntentOnPage

    stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, SetupIntentOnPage(step.content.decode()), "4242424242424242")
    card = gateway.setup_intent_get(checkout.setup_intent_id).payment_method_id
    key = f"booking-payment:{held.pk}:{card}"
    call = ProviderCall.objects.create(
        idempotency_key=key,
        purpose="booking_payment",
        amount=2000,
        currency="USD",
        appointment=held,
        client=held.client,
    )
    gateway.payment_intent_create(
        amount=2000,
        customer_id=checkout.customer_id,
        payment_method_id=card,
        metadata={"appointment": str(held.pk), "idempotency_key": key},
        idempotency_key=key,
    )
    assert payments_reconcile().settled == 0  # not stale yet: the live request may still be answering
    ProviderCall.objects.filter(pk=call.pk).update(updated_at=timezone.now() - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        result = payments_reconcile()
    assert result.settled == 1 and result.flagged == []
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED
    assert LedgerEntry.objects.get().amount == 2000
    ProviderCall.objects.filter(pk=call.pk).update(status="pending", updated_at=timezone.now() - timedelta(hours=1))
    payments_reconcile()
    assert LedgerEntry.objects.count() == 1  # settling twice writes once


def test_a_request_stripe_never_saw_is_marked_failed_so_the_booking_can_be_paid_again(stripe_on, db):
    from tests.factories import AppointmentFactory

    appointment = AppointmentFactory()
    call = ProviderCall.objects.create(
        idempotency_key=f"booking-payment:{appointment.pk}:pm_lost",
        purpose="booking_payment",
        amount=2000,
        currency="USD",
        appointment=appointment,
    )
    long_ago = timezone.now() - timedelta(minutes=20)
    ProviderCall.objects.filter(pk=call.pk).update(created_at=long_ago, updated_at=long_ago)
    assert payments_reconcile().failed == 1
    assert ProviderCall.objects.get().status == ProviderCall.Status.FAILED
