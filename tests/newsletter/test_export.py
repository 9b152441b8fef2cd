"""The subscriber export: its own permission, and cells a spreadsheet cannot run as formulas."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.spreadsheets import spreadsheet_safe
from tests.factories import StaffUserFactory, SubscriberFactory

pytestmark = pytest.mark.django_db
LIST = "admin:newsletter_subscriber_changelist"


def staff_with(client, *codenames):
    user = StaffUserFactory(username="staff")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="newsletter", codename__in=codenames))
    client.force_login(user)
    return user


def export(client, *subscribers):
    return client.post(reverse(LIST), {"action": "export_csv", "_selected_action": [s.pk for s in subscribers]})


def test_staff_who_may_only_view_subscribers_cannot_export_them(client):
    staff_with(client, "view_subscriber")
    subscriber = SubscriberFactory(email="ana@example.com")
    assert 'value="export_csv"' not in client.get(reverse(LIST)).content.decode()
    response = export(client, subscriber)
    assert response.get("Content-Type", "").startswith("text/html")
    assert not hasattr(response, "streaming_content")


def test_the_export_permission_gives_the_csv_with_formula_cells_neutralised(client):
    staff_with(client, "view_subscriber", "export_subscriber")
    subscriber = SubscriberFactory(email="=1+2@example.com", source_url="https://clinic.test/", consent_text="@SUM(A1)")
    response = export(client, subscriber)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][0] == "'=1+2@example.com"
    assert rows[1][4] == "'@SUM(A1)"


@pytest.mark.parametrize("value", ["=cmd", "+1", "-1", "@x", "\tx", "\rx"])
def test_every_formula_start_is_prefixed(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize(("value", "shown"), [("ana@example.com", "ana@example.com"), (None, ""), ("", "")])
def test_ordinary_values_are_left_as_they_are(value, shown):
    assert spreadsheet_safe(value) == shown
