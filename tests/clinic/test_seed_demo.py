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
