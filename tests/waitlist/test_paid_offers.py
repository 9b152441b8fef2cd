"""An offer of a service paid for at booking: taking it holds the time and goes through the payment step.

Stripe is localstripe over HTTP, as in tests/payments; the card is confirmed as Stripe.js would.
"""

import html

import pytest
from django.urls import reverse

from bookings.models import Appointment
from bookings.status_changes import appointment_cancel
from core.clinictime import clinic_tz
from core.models import OutgoingEmail
from payments.models import LedgerEntry
from tests.payments.conftest import (  # noqa: F401 - fixtures are used by name
    localstripe_base,
    stripe_js_confirm_setup,
    stripe_on,
    webhook_secret,
)
from tests.payments.scene import paying_clinic, slot_days_ahead
from tests.payments.test_checkout import SetupIntentOnPage
from waitlist.models import Entry, Offer
from waitlist.tokens import entry_token, offer_token

from .conftest import book, join

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def offered_deposit(stripe_on, django_capture_on_commit_callbacks):  # noqa: F811
    """A $20 deposit service; Bea and Cy wait for a day; Ana's booking that day is cancelled; Bea is offered it."""
    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    slot = slot_days_ahead(service, therapist)
    ana = book(service, therapist, slot.start, name="Ana First")
    day = slot.start.astimezone(clinic_tz()).date()
    bea = join(service, name="Bea Park", days=(day, day))
    join(service, name="Cy Next", days=(day, day))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=ana, by_client=False)
    offer = Offer.objects.get(entry=bea)
    assert offer.starts_at == slot.start
    return offer


def link(offer):
    return reverse("waitlist:offer", kwargs={"token": offer_token(offer)})


def test_taking_a_paid_offer_holds_the_time_and_it_is_taken_only_once_paid(
    client,
    stripe_on,  # noqa: F811
    offered_deposit,
    django_capture_on_commit_callbacks,
):
    offer = offered_deposit
    email = OutgoingEmail.objects.get(reference=f"waitlist offer {offer.pk}")
    assert "while you pay online" in email.payload["body"] and "due at the clinic" not in email.payload["body"]
    assert "A deposit of $20.00 is charged when you book." in email.payload["body"]
    page = text(client.get(link(offer)))
    assert "A deposit of $20.00 is charged when you book." in page and "due at the clinic" not in page

    answer = client.post(link(offer))
    assert answer.status_code == 302 and answer["Location"] == "/payments/checkout/"
    held = Appointment.objects.get(status=Appointment.Status.HELD)
    assert (held.starts_at, held.client_email) == (offer.starts_at, "bea@example.com")
    offer.refresh_from_db()
    assert (offer.state, offer.appointment) == (Offer.State.PAYING, held)
    assert Entry.objects.get(pk=offer.entry_id).state == Entry.State.WAITING  # not taken until paid
    entry_page = text(client.get(reverse("waitlist:entry", kwargs={"token": entry_token(offer.entry)})))
    assert "it is held for you until the payment goes through" in entry_page

    step = client.get("/payments/checkout/")
    assert step.status_code == 200 and "Due now: $20.00" in step.content.decode()
    intent = SetupIntentOnPage(step.content.decode())
    stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, intent, "4242424242424242")
    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post("/payments/checkout/", {"setup_intent": intent.id})
    assert paid.status_code == 302 and paid["Location"] == "/book/confirmed/"
    held.refresh_from_db()
    offer.refresh_from_db()
    entry = Entry.objects.get(pk=offer.entry_id)
    assert held.status == Appointment.Status.BOOKED
    assert offer.state == Offer.State.ACCEPTED and (entry.state, entry.booked) == (Entry.State.BOOKED, held)
    assert LedgerEntry.objects.get(appointment=held).amount == 2000
    assert "This time is yours" in text(client.get(link(offer)))


def test_a_paid_offer_whose_payment_is_given_up_goes_to_the_next_person(
    client,
    offered_deposit,
    django_capture_on_commit_callbacks,
):
    offer = offered_deposit
    client.post(link(offer))
    again = text(client.get(link(offer)))
    assert "This time is held while you pay" in again and "Continue to the payment" in again
    with django_capture_on_commit_callbacks(execute=True):
        gave_up = client.post("/payments/checkout/", {"give_up": "1"})
    assert gave_up.status_code == 409
    assert not Appointment.objects.filter(status__in=["held", "booked"]).exists()
    offer.refresh_from_db()
    assert offer.state == Offer.State.LAPSED
    assert Entry.objects.get(pk=offer.entry_id).state == Entry.State.WAITING  # still on the list
    # The released time is back on the waitlist; Bea is never offered the time she let go again.
    (next_offer,) = Offer.objects.filter(state=Offer.State.OFFERED)
    assert next_offer.opening.reason == "hold released"
    assert next_offer.opening.starts_at == offer.starts_at
    assert (next_offer.entry_id, next_offer.starts_at) != (offer.entry_id, offer.starts_at)
    closed = client.post(link(offer))
    assert closed.status_code == 410 and "you're still on the list" in text(closed).lower()
