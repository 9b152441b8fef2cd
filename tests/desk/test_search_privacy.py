"""The client search is posted, never put in a URL: a typed phone number or email stays out of the address bar,
the browser's history and the server's logs, and no cache keeps the results."""

import re

import pytest

from clients.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(busy_day):
    return Client.objects.create(name="Ana Silva", phone="(617) 555-0142", email="ana@example.com")


def forms_of(html: str) -> list[str]:
    return re.findall(r"<form[^>]*>", html)


def test_every_client_search_form_on_the_desk_posts_with_a_csrf_token(desk, busy_day):
    for page in ("/staff/", "/staff/clients/", "/staff/book/"):
        html = desk.get(page).content.decode()
        searches = [form for form in forms_of(html) if 'role="search"' in form]
        assert searches, page
        for form in searches:
            assert 'method="post"' in form, (page, form)
        assert html.count('name="csrfmiddlewaretoken"') >= len(searches)


def test_the_client_search_answers_a_post_and_no_cache_keeps_the_results(desk, ana):
    response = desk.post("/staff/clients/", {"q": "555-0142", "go": "0"})
    assert response.status_code == 200
    assert "Ana Silva" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_header_search_with_one_match_opens_the_clients_page_whose_address_holds_no_phone(desk, ana):
    response = desk.post("/staff/clients/", {"q": "0142"})
    assert response.status_code == 302 and response["Location"] == f"/staff/clients/{ana.pk}/"


def test_a_search_in_the_address_bar_shows_no_results_and_leads_to_the_plain_page(desk, ana):
    response = desk.get("/staff/clients/?q=555-0142")
    assert response.status_code == 302 and response["Location"] == "/staff/clients/"
    response = desk.get("/staff/book/?q=555-0142&therapist=mia&start=2026-03-05T16:15-05:00")
    assert response.status_code == 302
    assert "0142" not in response["Location"] and "q=" not in response["Location"]
    assert "therapist=mia" in response["Location"]
    assert "Ana Silva" not in desk.get(response["Location"]).content.decode()


def test_the_as_you_type_search_is_posted_and_not_answered_from_a_url(desk, ana):
    response = desk.post("/staff/clients/search.json", {"q": "ana@example"})
    assert response.json()["clients"][0]["name"] == "Ana Silva"
    assert "no-store" in response["Cache-Control"]
    assert desk.get("/staff/clients/search.json?q=ana").status_code == 405


def test_the_as_you_type_search_needs_the_csrf_token(desk_user, ana):
    from django.test import Client as Browser

    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(desk_user)
    assert browser.post("/staff/clients/search.json", {"q": "ana"}).status_code == 403
    browser.get("/staff/book/")
    token = browser.cookies["csrftoken"].value
    response = browser.post("/staff/clients/search.json", {"q": "ana"}, headers={"X-CSRFToken": token})
    assert response.json()["clients"][0]["name"] == "Ana Silva"


def test_the_booking_forms_search_keeps_the_slot_and_its_results_link_back_to_it(desk, ana, busy_day):
    therapist = busy_day["therapists"][4]
    url = f"/staff/book/?start=2026-03-05T16:15-05:00&therapist={therapist.slug}"
    response = desk.post(url, {"q": "555-0142"})
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert f'<option value="{therapist.pk}" selected>' in html and 'value="16:15"' in html
    slot = f"therapist={therapist.slug}&amp;start=2026-03-05T16%3A15-05%3A00"
    assert f'href="/staff/book/?{slot}&amp;client={ana.pk}"' in html
    assert f'action="/staff/book/?{slot}"' in html


def test_the_search_results_carry_only_the_bookings_own_parameters(desk, ana, busy_day):
    therapist = busy_day["therapists"][4]
    response = desk.post(f"/staff/book/?therapist={therapist.slug}&utm_source=mail&client=999&x=1", {"q": "Ana"})
    html = response.content.decode()
    assert f'href="/staff/book/?therapist={therapist.slug}&amp;client={ana.pk}"' in html
    assert "utm_source" not in html and "client=999" not in html and "x=1" not in html
