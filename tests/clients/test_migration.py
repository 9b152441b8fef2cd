"""Appointments made before client records existed move into one record per person (migration 0007)."""

import pytest
from django.apps import apps
from django.core.management import call_command

from bookings.clientlinks import appointments_into_clients
from bookings.models import Appointment
from clients.models import Client, ClientIntake
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def unlink_everything():
    """The database as it was before client records: bookings with names and emails only."""
    Appointment.objects.update(client=None)
    ClientIntake.objects.all().delete()
    Client.objects.all().delete()


def test_the_demo_clinics_bookings_each_end_up_with_their_persons_record(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    people = {
        email.lower() or "".join(filter(str.isdigit, phone))
        for email, phone in Appointment.objects.values_list("client_email", "client_phone")
    }
    with_intake = Appointment.objects.exclude(intake_areas_to_avoid="").count()
    unlink_everything()
    assert appointments_into_clients(apps) == len(people)
    assert not Appointment.objects.filter(client=None).exists()
    for appointment in Appointment.objects.select_related("client"):
        assert appointment.client.email == appointment.client_email.lower()
        assert appointment.client.email or appointment.client.phone == appointment.client_phone
    assert ClientIntake.objects.exclude(areas_to_avoid="").count() == with_intake


def test_people_without_email_are_grouped_by_phone_and_staff_given_addresses_count_as_verified():
    AppointmentFactory(client_email="", client_phone="617-555-0188", client_name="Ben")
    AppointmentFactory(client_email="", client_phone="(617) 555 0188", client_name="Ben Okoro")
    AppointmentFactory(client_email="Cleo@Example.com", source="staff")
    AppointmentFactory(client_email="cleo@example.com", source="online", intake_medications="Warfarin")
    unlink_everything()
    assert appointments_into_clients(apps) == 2
    ben = Client.objects.get(email="")
    cleo = Client.objects.get(email="cleo@example.com")
    assert ben.appointments.count() == 2 and cleo.appointments.count() == 2
    assert cleo.email_verified and not ben.email_verified
    assert cleo.intakes.get().medications == "Warfarin"


def test_running_it_again_changes_nothing():
    AppointmentFactory(client_email="dana@example.com", intake_allergies="Lanolin")
    unlink_everything()
    appointments_into_clients(apps)
    assert appointments_into_clients(apps) == 0
    assert (Client.objects.count(), ClientIntake.objects.count()) == (1, 1)


def test_the_big_bench_clinics_bookings_are_linked_in_a_handful_of_statements(django_assert_max_num_queries):
    import io

    from bench import bigclinic

    team = bigclinic._team()
    bigclinic._appointments(team, 3000, io.StringIO())
    unlink_everything()
    with django_assert_max_num_queries(40):
        made = appointments_into_clients(apps)
    assert made == 3000  # the generator's clients 0 … 2999 (emails repeat only every 5,000)
    assert not Appointment.objects.filter(client=None).exists()
