"""The demo clinic has a busy day for the desk, booked through the services, and seeding again adds nothing."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Appointment
from clients.models import Client

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_busy_day_on_the_desk_and_seeding_twice_changes_nothing(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    booked = Appointment.objects.filter(booked_by__username="frontdesk")
    count = booked.count()
    assert count >= 12
    assert Client.objects.filter(email="", appointments__isnull=False).exists()  # phone-only clients
    assert Client.objects.exclude(notes="").exists()
    call_command("seed_demo", stdout=None)
    assert booked.count() == count
    client.force_login(booked.first().booked_by)
    days = Counter(timezone.localtime(starts_at).date() for starts_at in booked.values_list("starts_at", flat=True))
    day = days.most_common(1)[0][0]
    html = client.get(f"/staff/?date={day.isoformat()}").content.decode()
    assert html.count('class="desk-block ') >= 10
