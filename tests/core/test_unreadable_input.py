import pytest
from django.db import DataError
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import reject_unreadable_input

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/book/?service=%00", "/book/?therapist=a%00b", "/blog/?q=%00", "/blog/tag/%00/", "/book/manage/abc%00/"]
)
def test_a_nul_character_in_the_address_gets_a_friendly_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "We couldn't read that link" in response.content.decode()


def test_ordinary_addresses_pass_through(client):
    assert client.get("/book/").status_code == 200


def test_a_value_the_database_cannot_store_becomes_a_400_not_a_500():
    middleware = reject_unreadable_input(lambda request: HttpResponse())
    request = RequestFactory().get("/blog/preview/99999999999999999999/")
    response = middleware.process_exception(request, DataError("integer out of range"))
    assert response.status_code == 400
    assert middleware.process_exception(request, ValueError("other")) is None


def test_a_huge_number_in_an_address_is_never_a_500(admin_client):
    response = admin_client.get("/staff/appointments/99999999999999999999/move/")
    assert response.status_code in (400, 404)


def test_the_api_gets_its_400_in_json(client):
    response = client.get("/api/availability/?service=%00")
    assert response.status_code == 400
    assert "cannot read" in response.json()["error"]
