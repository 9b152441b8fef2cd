"""A therapist without the front desk's or the owner's rights can take no money action, over HTTP: no refund,
no fee, no desk payment, no sale, no takings; nothing reaches the ledger or localstripe."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from desk.fees import fee_charge
from payments.models import LedgerEntry, ProviderCall
from payments.prepaid_models import GiftCard, PackagePurchase
from tests.factories import StaffUserFactory

from .desk_scene import NO_SHOW_FEE, charges_at_stripe, desk_person, missed_session
from .prepaid_scene import package_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def fee_paid(stripe_on):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    return appointment, fee_charge(appointment=appointment, amount=NO_SHOW_FEE, charged_by=desk_person())


def money_posts(appointment, fee, package):
    return [
        (reverse("desk:fee", args=[appointment.pk]), {"amount": "45.00"}),
        (reverse("desk:refund", args=[appointment.pk]), {"payment": fee.pk, "amount": "45", "intention": "t"}),
        (reverse("desk:payment", args=[appointment.pk]), {"amount": "90", "method": "cash", "intention": "t"}),
        (reverse("desk:package_sell"), {"package": package.pk, "name": "Ana", "email": "a@example.com"}),
        (
            reverse("desk:giftcard_sell"),
            {"amount": "50", "purchaser_name": "Bea", "purchaser_email": "b@example.com", "method": "cash"},
        ),
    ]


@pytest.mark.parametrize("role", ["therapist", "other staff"])
def test_staff_without_money_rights_can_refund_charge_sell_or_see_nothing(client, fee_paid, role):
    appointment, fee = fee_paid
    package = package_make(services=[appointment.service])
    user = StaffUserFactory(username="daniel")
    if role == "therapist":
        appointment.therapist.user = user  # the session's own therapist, even
        appointment.therapist.save(update_fields=["user"])
    else:
        user.groups.add(Group.objects.get_or_create(name="Bookkeeping")[0])
    client.force_login(user)
    before = set(LedgerEntry.objects.values_list("pk", flat=True))
    calls = ProviderCall.objects.count()
    refused = 302 if role == "therapist" else 403
    for url, data in money_posts(appointment, fee, package):
        answer = client.post(url, data)
        assert answer.status_code == refused, url
        if refused == 302:
            assert answer["Location"] == reverse("bookings:staff_schedule"), url
    for url in (reverse("desk:takings"), reverse("desk:takings_csv"), reverse("desk:refund", args=[appointment.pk])):
        answer = client.get(url, {"date": date.today().isoformat()})
        assert answer.status_code == refused, url
        assert b"Takings" not in answer.content and b"$45.00" not in answer.content
    assert set(LedgerEntry.objects.values_list("pk", flat=True)) == before
    assert ProviderCall.objects.count() == calls
    assert not PackagePurchase.objects.exists() and not GiftCard.objects.exists()
    assert len(charges_at_stripe(appointment)) == 1  # the desk's own fee, and nothing since
    schedule = client.get(reverse("bookings:staff_schedule")).content.decode() if role == "therapist" else ""
    assert "Refund" not in schedule and "Charge the" not in schedule
