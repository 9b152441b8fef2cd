"""Mail server down: bookings still succeed at once, and every email arrives exactly once when it returns.

These run the production task queue (django-tasks-db) and its real worker command, moving the
clock forward between worker passes so the backoff delays elapse.
"""

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from bookings.models import Appointment
from core.models import OutgoingEmail
from tests.factories import clinic_with_hours
from tests.worker import run_worker

NEW_YORK = ZoneInfo("America/New_York")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False) as traveller:
        yield traveller


@pytest.fixture
def scene(clock):
    service, therapists, _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60, therapists=3, rooms=3)
    return service, therapists


def book(client, service, therapist, start):
    details = f"/book/details/?service={service.slug}&therapist={therapist.slug}&start={start}"
    return client.post(
        details,
        {
            "start": start,
            "name": "Ana Silva",
            "email": f"{therapist.slug}@example.com",
            "phone": "617 555 0100",
            "consent": "on",
        },
    )


def test_bookings_succeed_while_the_mail_server_is_down_and_each_email_arrives_once_when_it_returns(
    client, scene, clock, mail_server, database_task_queue
):
    service, therapists = scene
    mail_server.down = True
    for therapist in therapists:
        assert book(client, service, therapist, "2026-03-05T15:00Z").status_code == 302
    assert Appointment.objects.count() == 3
    assert OutgoingEmail.objects.filter(status="pending").count() == 6  # client + clinic per booking

    for _ in range(4):  # 0, 1, 3 and 7 minutes: four refused rounds while the server is down
        run_worker()
        clock.shift(timedelta(minutes=4))
    assert mail.outbox == [] and mail_server.failures >= 6 * 3

    mail_server.down = False
    clock.shift(timedelta(minutes=20))
    run_worker()
    clock.shift(timedelta(hours=3))
    run_worker()  # every later retry and sweep finds nothing left to do

    assert OutgoingEmail.objects.filter(status="sent").count() == 6
    delivered = Counter((message.subject, tuple(message.to)) for message in mail.outbox)
    assert len(delivered) == 6 and set(delivered.values()) == {1}
    print(f"\nmail server down: {mail_server.failures} failed sends injected; 6 of 6 emails delivered once each")


def test_with_the_immediate_queue_a_refused_email_does_not_fail_the_booking(client, scene, mail_server):
    service, (therapist, *_) = scene
    mail_server.down = True
    assert book(client, service, therapist, "2026-03-05T15:00Z").status_code == 302
    assert Appointment.objects.count() == 1
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("pending", 1)}


def test_a_duplicated_send_task_does_not_send_twice(client, scene, mail_server, database_task_queue):
    from core.tasks import outgoing_email_send

    service, (therapist, *_) = scene
    book(client, service, therapist, "2026-03-05T15:00Z")
    for email_id in OutgoingEmail.objects.values_list("pk", flat=True):
        outgoing_email_send.enqueue(email_id=email_id)  # as if the queue handed the task out twice
    run_worker()
    assert len(mail.outbox) == 2


def test_a_worker_killed_mid_send_loses_nothing_the_sweeper_sends_it_after_the_lease(
    client, scene, clock, mail_server, database_task_queue, settings
):
    from core.tasks import outbox_sweep

    service, (therapist, *_) = scene
    book(client, service, therapist, "2026-03-05T15:00Z")
    mail_server.crash_before = 1  # the first send dies with the worker
    run_worker()
    assert OutgoingEmail.objects.filter(status="sending").count() == 1 and len(mail.outbox) == 1
    outbox_sweep.enqueue()
    run_worker()
    assert len(mail.outbox) == 1  # the lease still holds
    clock.shift(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    run_worker()  # the sweep re-queued itself; this run finds the abandoned email
    assert OutgoingEmail.objects.filter(status="sent").count() == 2
    assert Counter(message.subject for message in mail.outbox).most_common(1)[0][1] == 1


def test_a_newsletter_confirmation_refused_by_the_mail_server_arrives_once_when_it_returns(
    client, clock, mail_server, database_task_queue
):
    from newsletter.services import CONSENT_TEXT, subscription_start

    mail_server.down = True
    subscription_start(
        email="reader@example.com", source_url="https://clinic.test/blog/", consent_text=CONSENT_TEXT, ip_address=None
    )
    run_worker()
    assert mail.outbox == [] and mail_server.failures == 1

    mail_server.down = False
    clock.shift(timedelta(minutes=5))
    run_worker()
    clock.shift(timedelta(hours=3))
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["reader@example.com"]
    assert "/newsletter/confirm/" in message.body
