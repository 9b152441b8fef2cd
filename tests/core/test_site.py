from django.db import OperationalError
from django.http import HttpResponse

from core.middleware import database_unavailable
from core.site import clinic_details


def test_clinic_details_follow_the_settings(settings):
    settings.CLINIC_NAME = "Harbour Massage"
    settings.CLINIC_ADDRESS = "1 Quay Road"
    settings.CLINIC_PHONE = "(555) 010-0199"
    settings.CLINIC_EMAIL = "desk@harbour.example"
    settings.CLINIC_TIME_ZONE = "Europe/Lisbon"
    settings.CLINIC_DIRECTIONS = "Above the ferry office."
    settings.CLINIC_PARKING = "No parking; take the ferry."
    settings.CLINIC_PAYMENT_NOTE = "Pay at the desk."
    assert clinic_details() == {
        "name": "Harbour Massage",
        "address": "1 Quay Road",
        "phone": "(555) 010-0199",
        "email": "desk@harbour.example",
        "directions": "Above the ferry office.",
        "parking": "No parking; take the ferry.",
        "payment_note": "Pay at the desk.",
        "map_url": "https://www.openstreetmap.org/search?query=1+Quay+Road",
        "time_zone": "Europe/Lisbon",
        "time_zone_name": "Western European Time — Lisbon",
    }


def test_the_database_down_page_gives_the_clinic_name_and_phone(rf, settings):
    settings.CLINIC_NAME = "Harbour Massage"
    settings.CLINIC_PHONE = "(555) 010-0199"
    middleware = database_unavailable(lambda request: HttpResponse())
    response = middleware.process_exception(rf.get("/"), OperationalError("server closed the connection"))
    content = response.content.decode()
    assert response.status_code == 503
    assert "Harbour Massage" in content
    assert "(555) 010-0199" in content
