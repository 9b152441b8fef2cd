import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bookings.models import Service, Therapist


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("django_tasks"):
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names come from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def test_seed_demo_creates_the_demo_clinic(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    assert Therapist.objects.filter(credentials__contains="LMT").count() == 4
    assert Service.objects.filter(is_active=True).count() >= 5
    assert all(t.photo for t in Therapist.objects.all())
    assert get_user_model().objects.get(username="frontdesk").is_staff
    assert set(Group.objects.values_list("name", flat=True)) >= {"Front desk", "Editors"}


def test_seed_demo_twice_changes_nothing(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    before = table_counts()
    call_command("seed_demo")
    assert table_counts() == before


def test_seed_demo_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not Therapist.objects.exists()


def test_the_demo_with_payments_on_sells_packages_prints_a_gift_card_to_try_and_its_emails_tell_the_truth(db, settings):
    from io import StringIO

    from core.models import OutgoingEmail
    from payments.demo import DEMO_KEYS
    from payments.giftcards import giftcard_find
    from payments.packages import package_holding_find
    from payments.prepaid_models import Package
    from waitlist.models import Entry

    settings.DEBUG = True
    for key, value in DEMO_KEYS.items():
        setattr(settings, key, value)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()

    assert set(Package.objects.values_list("name", flat=True)) >= {"5 × 60-minute massage"}
    assert Package.objects.get(name="5 × 60-minute massage").services.filter(slug="massage-60").exists()
    gift_code = printed.split("gift card:")[1].split("code ")[1].split()[0]
    card = giftcard_find(gift_code)
    assert card is not None and card.balance == 5_000 and "($50.00 left on it)" in printed
    package_line = printed.split("package credit:")[1].splitlines()[0]
    email, code = package_line.split("email ")[1].split(",")[0], package_line.split("code ")[1].split()[0]
    assert package_holding_find(email=email, code=code).credits_left == 5
    assert Entry.objects.count() == 2 and "Waitlist: 2 people waiting." in printed

    bookings = [row.payload for row in OutgoingEmail.objects.filter(subject__startswith="Your booking:")]
    assert bookings
    for payload in bookings:
        assert "nothing is charged online" not in payload["body"]
        assert "Nothing was paid online" in payload["body"] and "Cancelling after the cutoff costs" in payload["body"]

    call_command("seed_demo", stdout=StringIO())  # again: the same gift card and package, nobody added twice
    assert Entry.objects.count() == 2 and giftcard_find(gift_code).balance == 5_000
