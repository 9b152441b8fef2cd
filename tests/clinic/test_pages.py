from unittest import mock

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.urls import reverse
from PIL import Image

from tests.factories import ServiceFactory, TherapistFactory


def test_health_answers_200_json_when_the_database_and_the_cache_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_answers_503_when_the_database_is_down(client, db):
    with mock.patch("clinic.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_home_page_leads_to_booking_and_shows_services(client, db):
    ServiceFactory(name="Deep tissue", slug="deep-tissue")
    response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Deep tissue" in content
    assert reverse("bookings:start") in content
    assert reverse("blog:index") in content


def test_every_page_has_the_clinic_details_and_subscribe_form_in_its_footer(client, db, settings):
    response = client.get("/")
    content = response.content.decode()
    assert settings.CLINIC_PHONE in content
    assert settings.CLINIC_ADDRESS in content
    assert reverse("newsletter:subscribe") in content


def test_unknown_page_gets_the_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_server_error_page_is_friendly_and_needs_no_database(rf):
    from clinic.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_server_error_page_gives_the_clinic_phone(rf, settings):
    from clinic.views import server_error

    settings.CLINIC_PHONE = "(555) 010-0199"
    assert "(555) 010-0199" in server_error(rf.get("/")).content.decode()


def test_therapist_profile_shows_credentials_and_booking_link(client, db):
    therapist = TherapistFactory(name="Jane Doe", slug="jane-doe", credentials="LMT, E-RYT 500")
    response = client.get(therapist.get_absolute_url())
    content = response.content.decode()
    assert "LMT, E-RYT 500" in content
    assert "/book/?therapist=jane-doe" in content


def test_static_pages_load_no_third_party_assets(client, db):
    content = client.get("/").content.decode()
    assert "cdn" not in content.lower()
    assert "fonts.googleapis" not in content
    assert "/static/clinic/css/bootstrap.min.css" in content


def test_privacy_page_explains_what_is_stored_and_how_to_ask_for_erasure(client, db, settings):
    content = client.get("/privacy/").content.decode()
    for topic in ["Bookings", "Health intake", "Newsletter", "How long we keep it", "erase"]:
        assert topic in content
    assert settings.CLINIC_EMAIL in content


def test_anonymous_visitors_get_no_cookies_from_reading_pages(client, db):
    response = client.get("/privacy/")
    assert response.cookies == {} or set(response.cookies) <= {"csrftoken"}


@pytest.mark.parametrize(("path", "image_format"), [("/favicon.ico", "ICO"), ("/apple-touch-icon.png", "PNG")])
def test_the_icons_browsers_ask_for_at_the_root_lead_to_our_own_images(client, path, image_format):
    response = client.get(path)
    assert response.status_code == 301
    name = response["Location"].removeprefix(settings.STATIC_URL)
    with Image.open(finders.find(name)) as icon:
        assert icon.format == image_format


def test_every_page_names_its_icons(client, db):
    content = client.get("/").content.decode()
    assert 'rel="icon"' in content and 'rel="apple-touch-icon"' in content
