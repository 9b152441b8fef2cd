"""Staff see which emails wait for the mail server or failed, and send them again from the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.mailfailures import retry_delay
from core.models import OutgoingEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LIST = "admin:core_outgoingemail_changelist"


def outgoing(status, attempts=0, **fields):
    return OutgoingEmail.objects.create(
        reference="appointment 1: booked",
        subject="Your booking",
        recipients=["ana@example.com"],
        payload={"from_email": "clinic@example.com", "cc": [], "bcc": [], "reply_to": [], "headers": {},
                 "body": "See you soon.", "alternatives": [], "attachments": []},
        status=status,
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(hours=1),
        last_error="SMTPServerDisconnected: try later" if attempts else "",
        **fields,
    )  # fmt: skip


@pytest.fixture
def owner(client):
    client.force_login(UserFactory(username="owner", is_staff=True, is_superuser=True))
    return client


def test_the_outbox_lists_an_email_waiting_for_the_mail_server_as_such(owner):
    outgoing(OutgoingEmail.Status.PENDING, attempts=3)
    page = owner.get(reverse(LIST)).content.decode()
    assert "Waiting for the mail server (tried 3 times)" in page


def test_staff_send_a_failed_email_again_and_it_goes_out(owner, django_capture_on_commit_callbacks):
    failed = outgoing(OutgoingEmail.Status.FAILED, attempts=30)
    sent = outgoing(OutgoingEmail.Status.SENT, sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(reverse(LIST), {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT
    assert [message.subject for message in mail.outbox] == ["Your booking"]


def test_staff_who_may_only_look_cannot_send_again(client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outgoingemail"))
    client.force_login(viewer)
    assert 'value="retry_now"' not in client.get(reverse(LIST)).content.decode()


def test_a_mail_server_that_says_try_later_for_a_day_is_tried_for_a_day(settings):
    waits = [retry_delay(attempt) for attempt in range(1, settings.OUTBOX_MAX_ATTEMPTS)]
    assert max(waits) == timedelta(hours=1)
    assert sum(waits, timedelta()) >= timedelta(hours=24)
