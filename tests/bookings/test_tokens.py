import pytest

from bookings.tokens import appointment_from_manage_token, feed_token, manage_token, therapist_from_feed_token
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_each_link_opens_only_its_own_kind_of_row_even_with_the_same_key():
    appointment = AppointmentFactory(manage_key="shared-key")
    therapist = appointment.therapist
    therapist.feed_key = "shared-key"
    therapist.save()
    assert appointment_from_manage_token(manage_token(appointment)) == appointment
    assert therapist_from_feed_token(feed_token(therapist)) == therapist
    assert therapist_from_feed_token(manage_token(appointment)) is None
    assert appointment_from_manage_token(feed_token(therapist)) is None


def test_an_overlong_or_tampered_token_finds_nothing():
    appointment = AppointmentFactory()
    token = manage_token(appointment)
    assert appointment_from_manage_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert appointment_from_manage_token(token + " " * 200) is None
    assert therapist_from_feed_token("x" * 201) is None


def test_an_inactive_therapists_feed_is_closed():
    therapist = AppointmentFactory().therapist
    therapist.is_active = False
    therapist.save()
    assert therapist_from_feed_token(feed_token(therapist)) is None
