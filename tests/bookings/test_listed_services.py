"""The home page and the booking page list services and therapists from the cache, and show an admin edit at once."""

import pytest

from tests.adminforms import change_form
from tests.factories import RoomFactory, ServiceFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(username="owner", is_staff=True, is_superuser=True))
    return client


def test_the_booking_pages_first_step_lists_the_services_without_a_query(client, django_assert_num_queries):
    ServiceFactory(name="Deep tissue")
    client.get("/book/")
    with django_assert_num_queries(0):
        page = client.get("/book/").content.decode()
    assert "Deep tissue" in page


def test_a_service_renamed_in_the_admin_shows_on_the_home_and_booking_pages_at_once(client, owner):
    service = ServiceFactory(name="Deep tissue", rooms=[RoomFactory()])
    assert "Deep tissue" in client.get("/").content.decode()
    assert "Deep tissue" in client.get("/book/").content.decode()
    url = f"/admin/bookings/service/{service.pk}/change/"
    data = change_form(owner.get(url))
    data["name"] = "Deep tissue, slow"
    response = owner.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Deep tissue, slow" in client.get("/").content.decode()
    assert "Deep tissue, slow" in client.get("/book/").content.decode()


def test_a_therapist_who_leaves_is_gone_from_the_home_page_at_once(client, owner):
    therapist = TherapistFactory(name="Robin Achterberg")
    assert "Robin Achterberg" in client.get("/").content.decode()
    url = f"/admin/bookings/therapist/{therapist.pk}/change/"
    data = change_form(owner.get(url))
    data.pop("is_active", None)
    response = owner.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert "Robin Achterberg" not in client.get("/").content.decode()
