"""A day's takings on the desk: per method and kind, totals equal to the ledger's sums, a CSV, few queries."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db.models import Sum
from django.urls import reverse

from core.money import money_format
from desk.fees import fee_charge
from desk.money import desk_payment_record
from desk.refunds import payment_refund
from desk.takings import TAKINGS_KINDS, takings_for_day
from payments.giftcards import giftcard_sell_at_desk
from payments.ledger import LedgerActor, ledger_entry_record
from payments.models import LedgerEntry
from payments.packages import package_sell_at_desk
from payments.prepaid_models import Package
from tests.bookings.conftest import NEW_YORK
from tests.factories import StaffUserFactory, TherapistFactory

from .desk_scene import desk_person, missed_session

pytestmark = pytest.mark.django_db
THURSDAY = datetime(2026, 3, 5, 12, 0, tzinfo=NEW_YORK)


@pytest.fixture
def staff():
    return desk_person()


@pytest.fixture
def desk(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def thursday_takings(stripe_on, staff):
    """A no-show fee (part refunded), cash and terminal payments, a package sale, and one entry the day before."""
    at = lambda minutes: THURSDAY + timedelta(minutes=minutes)  # noqa: E731
    earlier = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="completed", card=None)
    desk_payment_record(
        appointment=earlier, amount=7000, method="cash", note="", intention="wed", recorded_by=staff, now=at(-1440)
    )
    no_show = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    with time_machine.travel(at(0), tick=True):  # the payments app's fee and refund paths write "now"
        fee = fee_charge(appointment=no_show, amount=4500, charged_by=staff)
        payment_refund(payment=fee, amount=1500, intention="part", refunded_by=staff)
    kept = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="completed", card=None)
    desk_payment_record(
        appointment=kept,
        amount=9000,
        method="terminal",
        note="=HYPERLINK(1)",
        intention="t",
        recorded_by=staff,
        now=at(2),
    )
    desk_payment_record(
        appointment=kept, amount=1250, method="cash", note="tip", intention="c", recorded_by=staff, now=at(3)
    )
    package = Package.objects.create(name="5 × 60-minute massage", sessions=5, price=40000)
    package_sell_at_desk(
        package=package, name="Bo Chen", email="bo@example.com", method="cash", sold_by=staff, now=at(4)
    )
    giftcard_sell_at_desk(
        amount=5000,
        purchaser_name="Cy Li",
        purchaser_email="cy@example.com",
        recipient_name="Di Ma",
        recipient_email="di@example.com",
        deliver_on=date(2026, 3, 5),
        method="terminal",
        sold_by=staff,
        now=at(5),
    )
    # One minute before Thursday began, in the clinic's zone: Wednesday's.
    ledger_entry_record(
        kind=LedgerEntry.Kind.DESK_PAYMENT,
        amount=100,
        method=LedgerEntry.Method.CASH,
        idempotency_key="desk:test:late-wednesday",
        actor=LedgerActor.staff(staff),
        now=THURSDAY.replace(hour=0) - timedelta(minutes=1),
    )


def thursday_ledger_total() -> int:
    start = THURSDAY.replace(hour=0)
    entries = LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))
    return entries.filter(kind__in=TAKINGS_KINDS).aggregate(total=Sum("amount"))["total"]


def test_the_days_takings_add_up_to_the_ledger_per_method_and_kind(desk, thursday_takings):
    page = desk.get(reverse("desk:takings"), {"date": "2026-03-05"}).content.decode()
    assert thursday_ledger_total() == 4500 - 1500 + 9000 + 1250 + 40000 + 5000
    assert "data-takings-total>$582.50<" in page
    assert "$597.50 in, -$15.00 refunded" in page
    # Cash: the sale and the tip; the card: the fee less its refund; the terminal: the session.
    takings = takings_for_day(date(2026, 3, 5))
    assert {row.method: row.total for row in takings.methods} == {"cash": 41250, "card": 3000, "terminal": 14000}
    assert takings.total == sum(row.total for row in takings.methods) == thursday_ledger_total()
    for row in takings.methods:
        assert f'<th scope="row">{row.label}</th>' in page and f"<strong>{money_format(row.total)}</strong>" in page
    assert "$70.00" not in page and "$1.00" not in page  # Wednesday's cash belongs to Wednesday


def test_the_takings_page_links_to_selling_a_package_or_a_gift_card(desk, stripe_on):
    page = desk.get(reverse("desk:takings")).content.decode()
    assert f'href="{reverse("desk:package_sell")}"' in page and f'href="{reverse("desk:giftcard_sell")}"' in page
    assert "No money was taken or given back on this day." in page


def test_another_day_is_chosen_with_the_date_picker(desk, thursday_takings):
    page = desk.get(reverse("desk:takings"), {"date": "2026-03-04"}).content.decode()
    assert "data-takings-total>$71.00<" in page and 'value="2026-03-04"' in page


def test_the_csv_lists_every_entry_with_a_total_and_text_that_cannot_run_as_a_formula(desk, thursday_takings):
    answer = desk.get(reverse("desk:takings_csv"), {"date": "2026-03-05"})
    assert answer["Content-Type"].startswith("text/csv")
    assert 'filename="takings-2026-03-05.csv"' in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    header, entries, total = rows[0], rows[1:-1], rows[-1]
    assert header[:4] == ["time", "what", "method", "amount"]
    assert [row[1] for row in entries] == ["Fees", "Refunds", "Desk payments", "Desk payments", "Package", "Gift card"]
    assert [row[3] for row in entries] == ["45.00", "-15.00", "90.00", "12.50", "400.00", "50.00"]
    assert total[1:4] == ["Total", "", "582.50"]
    assert "'=HYPERLINK(1)" in [row[8] for row in entries]


def test_the_takings_page_reads_a_busy_day_in_a_few_queries(desk, thursday_takings, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert desk.get(reverse("desk:takings"), {"date": "2026-03-05"}).status_code == 200


def test_a_therapist_without_the_front_desk_role_cannot_see_the_takings(client, stripe_on):
    therapist_user = StaffUserFactory(username="daniel")
    TherapistFactory(user=therapist_user)
    client.force_login(therapist_user)
    assert client.get(reverse("desk:takings")).status_code == 302  # to their own schedule
    outsider = StaffUserFactory(username="bookkeeper")
    outsider.groups.add(Group.objects.get_or_create(name="Bookkeeping")[0])
    client.force_login(outsider)
    assert client.get(reverse("desk:takings_csv")).status_code == 403
