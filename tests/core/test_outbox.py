"""The email outbox on its own: queued with the transaction, sent once, retried with backoff, given up on loudly."""

import logging
import smtplib
import threading
import time as wall_clock
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from core.mailrenderers import renderer_register
from core.mailsending import email_deliver, emails_flush, emails_send_batch, stream_progress
from core.models import OutgoingEmail
from core.outbox import email_queue, emails_prune, emails_queue_rendered

from .backends import FlakyEmailBackend, MailServer, WorkerKilled

NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def queue_one(subject="Your booking", to="ana@example.com") -> OutgoingEmail:
    message = EmailMultiAlternatives(subject=subject, body="Plain words", to=[to])
    message.attach_alternative("<p>HTML words</p>", "text/html")
    message.attach("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    with transaction.atomic():
        return email_queue(message=message, reference="test")


@pytest.mark.django_db
def test_a_queued_email_is_sent_with_its_html_and_attachment_intact(mail_server, frozen):
    email = queue_one()
    assert email_deliver(email_id=email.pk).status == "sent"
    (message,) = mail.outbox
    assert (message.subject, message.to, message.body) == ("Your booking", ["ana@example.com"], "Plain words")
    assert message.alternatives[0].content == "<p>HTML words</p>"
    assert message.attachments[0][0] == "session.ics"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == ("sent", 1, NOON)


@pytest.mark.django_db
def test_an_email_queued_in_a_transaction_that_rolls_back_never_exists(mail_server, frozen):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_one()
        raise RuntimeError("the booking failed after all")
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.django_db
def test_delivering_a_sent_email_again_sends_nothing(mail_server, frozen):
    email = queue_one()
    email_deliver(email_id=email.pk)
    assert email_deliver(email_id=email.pk).status == "skipped"
    assert emails_flush()["sent"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_refused_send_is_retried_after_one_then_two_then_four_minutes(mail_server, frozen, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    mail_server.down = True
    email = queue_one()
    retries = [email_deliver(email_id=email.pk, now=NOON + timedelta(minutes=m)).retry_at for m in (0, 1, 3)]
    assert retries == [NOON + timedelta(minutes=1), NOON + timedelta(minutes=3), NOON + timedelta(minutes=7)]
    assert email_deliver(email_id=email.pk, now=NOON + timedelta(minutes=6)).status == "skipped"  # not due yet
    mail_server.down = False
    assert email_deliver(email_id=email.pk, now=NOON + timedelta(minutes=7)).status == "sent"
    assert len(mail.outbox) == 1 and mail_server.failures == 3


@pytest.mark.django_db
def test_after_the_last_attempt_the_email_is_marked_failed_and_logged_without_the_address(
    mail_server, frozen, settings, caplog
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    mail_server.down = True
    email = queue_one(to="private.person@example.com")
    email_deliver(email_id=email.pk)
    assert email_deliver(email_id=email.pk, now=NOON + timedelta(hours=1)).status == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 2)
    assert "SMTPServerDisconnected" in email.last_error
    failure = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failure and "gave up" in failure[0].getMessage()
    assert all("private.person" not in record.getMessage() for record in caplog.records)
    mail_server.down = False
    assert emails_flush(now=NOON + timedelta(days=1))["sent"] == 0  # failed stays failed until staff act


@pytest.mark.django_db
def test_a_worker_killed_before_handing_over_leaves_the_email_to_the_sweeper_after_its_lease(
    mail_server, frozen, settings
):
    settings.OUTBOX_LEASE_SECONDS = 600
    email = queue_one()
    mail_server.crash_before = 1
    with pytest.raises(WorkerKilled):
        email_deliver(email_id=email.pk)
    assert emails_flush(now=NOON + timedelta(minutes=5))["sent"] == 0  # the lease still holds: no second sender
    assert emails_flush(now=NOON + timedelta(minutes=11))["sent"] == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_worker_killed_after_the_server_accepted_repeats_that_one_email_rather_than_lose_it(
    mail_server, frozen, settings
):
    """The honest window: between the server taking the message and our "sent" mark committing.

    A crash exactly there cannot be told apart from one before the hand-over, so the sweeper sends
    again: one duplicate, never a loss. Everything else in the outbox is exactly once.
    """
    email = queue_one()
    mail_server.crash_after = 1
    with pytest.raises(WorkerKilled):
        email_deliver(email_id=email.pk)
    assert emails_flush(now=NOON + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))["sent"] == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_send_outbox_command_sends_what_is_due(mail_server, frozen, capsys):
    queue_one()
    queue_one(subject="Second")
    call_command("send_outbox")
    assert "sent: 2" in capsys.readouterr().out
    assert len(mail.outbox) == 2


class SlowBackend(FlakyEmailBackend):
    def send_messages(self, messages):
        wall_clock.sleep(0.2)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_email_at_once_send_it_once(mail_server, settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.SlowBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nobody sends it first
    email = queue_one()
    barrier = threading.Barrier(4)
    outcomes = []

    def deliver():
        try:
            barrier.wait()
            outcomes.append(email_deliver(email_id=email.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sent_emails_are_pruned_after_the_keep_period_and_failed_ones_kept(mail_server, frozen, settings):
    settings.OUTBOX_KEEP_DAYS = 30
    settings.OUTBOX_MAX_ATTEMPTS = 1
    sent, kept_failed = queue_one(), queue_one(subject="Failed")
    email_deliver(email_id=sent.pk)
    mail_server.down = True
    email_deliver(email_id=kept_failed.pk)
    assert emails_prune(now=NOON + timedelta(days=29)) == 0
    assert emails_prune(now=NOON + timedelta(days=31)) == 1
    assert list(OutgoingEmail.objects.values_list("status", flat=True)) == ["failed"]


class RefusingBackend(FlakyEmailBackend):
    """Refuses every recipient with ``reply``."""

    reply = (550, b"mailbox unavailable")

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({address: self.reply for message in messages for address in message.to})


class TryLaterBackend(RefusingBackend):
    reply = (451, b"mailbox busy, try again later")


@pytest.mark.django_db
def test_a_recipient_refused_for_good_fails_at_once_without_retrying(mail_server, frozen, settings, caplog):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.RefusingBackend"
    email = queue_one()
    assert email_deliver(email_id=email.pk).status == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "SMTPRecipientsRefused" in email.last_error
    assert any(
        "refused for good" in record.getMessage() for record in caplog.records if record.levelno == logging.ERROR
    )


@pytest.mark.django_db
def test_a_recipient_refused_for_now_is_retried_with_the_same_backoff(mail_server, frozen, settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.TryLaterBackend"
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    email = queue_one()
    assert email_deliver(email_id=email.pk).retry_at == NOON + timedelta(minutes=1)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)


@pytest.mark.django_db
def test_an_unreachable_server_fails_the_rest_of_the_batch_without_trying_each_email(mail_server, frozen):
    for n in range(3):
        queue_one(subject=f"Email {n}")
    mail_server.down = True
    assert emails_flush() == {"sent": 0, "retry": 3, "failed": 0, "cancelled": 0}
    assert mail_server.failures == 1
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("pending", 1)}


class RefusesConnections(FlakyEmailBackend):
    def open(self):
        MailServer.failures += 1
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.django_db
def test_a_server_that_refuses_the_connection_is_tried_once_for_the_whole_batch(mail_server, frozen, settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.RefusesConnections"
    queue_one(subject="First")
    queue_one(subject="Second")
    assert emails_flush()["retry"] == 2
    assert mail_server.failures == 1
    assert set(OutgoingEmail.objects.values_list("status", "attempts", "last_error")) == {
        ("pending", 1, "ConnectionRefusedError: [Errno 111] Connection refused")
    }


class ClockMovingBackend(FlakyEmailBackend):
    """Each send takes ``seconds`` of the (frozen) clock."""

    traveller = None
    seconds = 0

    def send_messages(self, messages):
        ClockMovingBackend.traveller.shift(timedelta(seconds=ClockMovingBackend.seconds))
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_batch_stops_at_half_its_lease_and_gives_back_what_it_did_not_try(mail_server, frozen, settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.ClockMovingBackend"
    settings.OUTBOX_LEASE_SECONDS = 600
    ClockMovingBackend.traveller, ClockMovingBackend.seconds = frozen, 200
    for n in range(4):
        queue_one(subject=f"Email {n}")
    assert emails_flush()["sent"] == 2  # at 0 and 200 s; at 400 s, half the lease is gone
    assert sorted(OutgoingEmail.objects.values_list("status", "attempts")) == [
        ("pending", 0),
        ("pending", 0),
        ("sent", 1),
        ("sent", 1),
    ]
    assert emails_flush()["sent"] == 2


NOTES: dict[int, str] = {}
RECORDED: list[tuple[list[int], str]] = []


def build_notes(object_ids):
    return {
        pk: EmailMessage(subject="Note", body=NOTES[pk], to=["ana@example.com"]) for pk in object_ids if pk in NOTES
    }


renderer_register("tests.note", build=build_notes, record=lambda ids, outcome: RECORDED.append((sorted(ids), outcome)))


@pytest.fixture
def notes():
    NOTES.clear()
    RECORDED.clear()
    yield NOTES
    NOTES.clear()
    RECORDED.clear()


def queue_notes(count: int) -> list[int]:
    """Queue one "tests.note" email for each of ``count`` new objects (auth groups stand in); their ids."""
    groups = Group.objects.bulk_create([Group(name=f"note {n}") for n in range(count)])
    ids = [group.pk for group in groups]
    queued = emails_queue_rendered(
        kind="tests.note", objects=Group.objects.filter(pk__in=ids), stream="notes", subject="Note", reference="notes"
    )
    assert queued == count
    return ids


@pytest.mark.django_db
def test_bulk_mail_is_built_when_sent_and_what_is_no_longer_wanted_is_cancelled(mail_server, frozen, notes):
    with transaction.atomic():
        first, second, third = queue_notes(3)
    notes.update({first: "First", second: "Second", third: "Third"})
    assert OutgoingEmail.objects.filter(payload={}, recipients=[], next_attempt_at=NOON).count() == 3  # no body
    del notes[second]
    notes[third] = "Third, as it is when sent"
    assert emails_send_batch(stream="notes", limit=10) == {"sent": 2, "cancelled": 1}
    assert sorted(message.body for message in mail.outbox) == ["First", "Third, as it is when sent"]
    assert sorted(RECORDED) == sorted([([first], "sent"), ([second], "cancelled"), ([third], "sent")])
    assert stream_progress(stream="notes")["pending"] == 0


@pytest.mark.django_db
def test_the_sweeper_leaves_a_stream_to_its_own_task(mail_server, frozen, notes):
    [note] = queue_notes(1)
    notes[note] = "Bulk"
    assert emails_flush(now=NOON + timedelta(days=1))["sent"] == 0
    assert stream_progress(stream="notes") == {"pending": 1, "due": 1, "next_due_at": NOON}


@pytest.mark.django_db
def test_one_object_is_emailed_once(notes):
    [note] = queue_notes(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        emails_queue_rendered(
            kind="tests.note", objects=Group.objects.filter(pk=note), stream="notes", subject="Note", reference="notes"
        )


@pytest.mark.django_db
def test_cancelled_emails_are_pruned_after_the_keep_period_too(mail_server, frozen, settings, notes):
    settings.OUTBOX_KEEP_DAYS = 30
    queue_notes(1)
    emails_send_batch(stream="notes", limit=10)  # nothing to build: cancelled
    assert emails_prune(now=NOON + timedelta(days=31)) == 1
