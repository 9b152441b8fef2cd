from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import OutgoingEmail
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.sending import ISSUE_EMAIL, issue_send_batch, issue_send_resume, issue_send_start, issue_send_test
from newsletter.services import subscription_end
from tests.factories import IssueFactory, SubscriberFactory

from .backends import (
    MAILBOX_UNAVAILABLE,
    TRY_LATER,
    CrashAfterDelivering,
    CrashBeforeDelivering,
    RefusesSomeRecipients,
    WorkerKilled,
)

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def dummy_tasks(settings):
    """A task backend that only queues: the test plays the worker."""
    settings.TASKS = DUMMY_TASKS
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


def run_worker(backend) -> None:
    """Run queued tasks in order until the queue is empty, as db_worker would (ignoring run_after)."""
    while backend.results:
        result = backend.results.pop(0)
        result.task.call(*result.args, **result.kwargs)


def recipients() -> Counter:
    return Counter(address for message in mail.outbox for address in message.to)


def email_of(delivery: Delivery) -> OutgoingEmail:
    """The outbox email that carries a delivery: its attempts, retry time and last error live there."""
    return OutgoingEmail.objects.get(kind=ISSUE_EMAIL, object_id=delivery.pk)


def after_the_lease(settings):
    """A killed worker's claim holds until its lease ends; then the next batch takes its emails over."""
    return time_machine.travel(timezone.now() + timezone.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """issue_send_start as the admin calls it, with its on-commit enqueue run."""

    def start(issue):
        with django_capture_on_commit_callbacks(execute=True):
            return issue_send_start(issue=issue)

    return start


def test_starting_fixes_the_audience_to_confirmed_subscribers(dummy_tasks, start):
    confirmed = SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    issue = IssueFactory()
    assert start(issue) == 3
    assert set(Delivery.objects.values_list("subscriber_id", flat=True)) == {s.pk for s in confirmed}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING


def test_someone_confirming_after_the_start_is_not_added(dummy_tasks, start):
    SubscriberFactory.create_batch(2)
    issue = IssueFactory()
    start(issue)
    latecomer = SubscriberFactory()
    run_worker(dummy_tasks)
    assert latecomer.email not in recipients()
    assert len(mail.outbox) == 2


def test_an_issue_cannot_be_started_twice(dummy_tasks, start):
    SubscriberFactory()
    issue = IssueFactory()
    start(issue)
    with pytest.raises(ValidationError, match="already been sent"):
        issue_send_start(issue=issue)
    assert Delivery.objects.count() == 1


def test_every_confirmed_subscriber_gets_exactly_one_email_and_the_issue_is_sent(settings, start):
    settings.NEWSLETTER_BATCH_SIZE = 4
    subscribers = SubscriberFactory.create_batch(10)
    issue = IssueFactory()
    start(issue)
    assert recipients() == Counter({s.email: 1 for s in subscribers})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.finished_at is not None
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 10


def test_an_issue_with_no_audience_is_sent_at_once(start):
    issue = IssueFactory()
    assert start(issue) == 0
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_the_next_batch_is_queued_before_this_one_sends_at_the_configured_rate(dummy_tasks, settings, start):
    settings.NEWSLETTER_BATCH_SIZE = 5
    settings.NEWSLETTER_RATE_PER_MINUTE = 60
    SubscriberFactory.create_batch(12)
    issue = IssueFactory()
    start(issue)
    [first] = dummy_tasks.results
    dummy_tasks.results.clear()
    with time_machine.travel(timezone.now(), tick=False):
        first.task.call(*first.args, **first.kwargs)
        [continuation] = dummy_tasks.results
        assert continuation.task.run_after == timezone.now() + timezone.timedelta(seconds=5)
    assert len(mail.outbox) == 5


def test_a_worker_killed_mid_batch_leaves_the_chain_alive_and_nobody_is_skipped_or_repeated(
    dummy_tasks, settings, start
):
    settings.NEWSLETTER_BATCH_SIZE = 5
    settings.EMAIL_BACKEND = "tests.newsletter.backends.CrashBeforeDelivering"
    CrashBeforeDelivering.budget = 7
    subscribers = SubscriberFactory.create_batch(12)
    issue = IssueFactory()
    start(issue)
    with pytest.raises(WorkerKilled):
        run_worker(dummy_tasks)
    assert len(mail.outbox) == 7
    assert dummy_tasks.results, "the next batch was queued before the killed one started"

    CrashBeforeDelivering.budget = None
    with after_the_lease(settings):
        run_worker(dummy_tasks)
    assert recipients() == Counter({s.email: 1 for s in subscribers})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_queue_lost_between_batches_is_resumed_without_repeats(dummy_tasks, settings, start):
    settings.NEWSLETTER_BATCH_SIZE = 4
    subscribers = SubscriberFactory.create_batch(10)
    issue = IssueFactory()
    start(issue)
    first = dummy_tasks.results.pop(0)
    first.task.call(*first.args, **first.kwargs)
    dummy_tasks.clear()
    assert len(mail.outbox) == 4

    issue.refresh_from_db()
    assert issue_send_resume(issue=issue) is True
    run_worker(dummy_tasks)
    assert recipients() == Counter({s.email: 1 for s in subscribers})


def test_resuming_a_finished_issue_does_nothing(dummy_tasks):
    issue = IssueFactory(status=Issue.Status.SENT)
    assert issue_send_resume(issue=issue) is False
    assert dummy_tasks.results == []


def test_a_crash_after_the_server_accepted_a_message_repeats_only_that_one(dummy_tasks, settings, start):
    """The documented at-least-once residual: one message between "accepted" and "committed"."""
    settings.NEWSLETTER_BATCH_SIZE = 5
    settings.EMAIL_BACKEND = "tests.newsletter.backends.CrashAfterDelivering"
    CrashAfterDelivering.budget = 3
    subscribers = SubscriberFactory.create_batch(8)
    issue = IssueFactory()
    start(issue)
    with pytest.raises(WorkerKilled):
        run_worker(dummy_tasks)
    with after_the_lease(settings):
        run_worker(dummy_tasks)
    counts = recipients()
    assert sorted(counts.values()) == [1] * 7 + [2]
    assert set(counts) == {s.email for s in subscribers}


def test_someone_unsubscribing_during_a_send_is_skipped(dummy_tasks, settings, start):
    settings.NEWSLETTER_BATCH_SIZE = 2
    first, second, leaver = SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    start(issue)
    issue_send_batch(issue_id=issue.pk)
    subscription_end(subscriber_token=leaver.token)
    issue_send_batch(issue_id=issue.pk)
    assert set(recipients()) == {first.email, second.email}
    assert Delivery.objects.get(subscriber=leaver).status == Delivery.Status.SKIPPED
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_subscriber_unsubscribed_by_other_means_is_skipped_at_send_time(dummy_tasks, start):
    subscriber = SubscriberFactory()
    issue = IssueFactory()
    start(issue)
    Subscriber.objects.filter(pk=subscriber.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    outcome = issue_send_batch(issue_id=issue.pk)
    assert outcome.skipped == 1
    assert mail.outbox == []


def test_a_refused_message_is_retried_later_and_the_issue_stays_sending(dummy_tasks, settings, start):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.RefusesSomeRecipients"
    RefusesSomeRecipients.refused = {"bounce@example.com"}
    RefusesSomeRecipients.reply = TRY_LATER
    SubscriberFactory(email="bounce@example.com")
    SubscriberFactory(email="fine@example.com")
    issue = IssueFactory()
    start(issue)
    outcome = issue_send_batch(issue_id=issue.pk)
    assert (outcome.sent, outcome.retried, outcome.pending, outcome.due) == (1, 1, 1, 0)
    email = email_of(Delivery.objects.get(subscriber__email="bounce@example.com"))
    assert email.attempts == 1
    assert "SMTPRecipientsRefused" in email.last_error
    assert email.next_attempt_at > timezone.now()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING


def test_a_message_that_keeps_failing_is_marked_failed_after_the_limit_with_growing_waits(dummy_tasks, settings, start):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.RefusesSomeRecipients"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    RefusesSomeRecipients.refused = {"bounce@example.com"}
    RefusesSomeRecipients.reply = TRY_LATER
    SubscriberFactory(email="bounce@example.com")
    issue = IssueFactory()
    start(issue)
    waits = []
    now = timezone.now()
    for _ in range(3):
        with time_machine.travel(now, tick=False):
            issue_send_batch(issue_id=issue.pk)
        delivery = Delivery.objects.get()
        if delivery.status == Delivery.Status.PENDING:
            waits.append(email_of(delivery).next_attempt_at - now)
            now = email_of(delivery).next_attempt_at
    assert waits == [timezone.timedelta(minutes=1), timezone.timedelta(minutes=2)]
    assert delivery.status == Delivery.Status.FAILED
    assert email_of(delivery).attempts == 3
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert mail.outbox == []


def test_a_retry_that_succeeds_sends_exactly_once(dummy_tasks, settings, start):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.RefusesSomeRecipients"
    RefusesSomeRecipients.refused = {"flaky@example.com"}
    RefusesSomeRecipients.reply = TRY_LATER
    SubscriberFactory(email="flaky@example.com")
    issue = IssueFactory()
    start(issue)
    issue_send_batch(issue_id=issue.pk)
    RefusesSomeRecipients.refused = set()
    issue_send_batch(issue_id=issue.pk)
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        issue_send_batch(issue_id=issue.pk)
        issue_send_batch(issue_id=issue.pk)
    assert recipients() == Counter({"flaky@example.com": 1})


def test_an_address_the_server_refuses_for_good_fails_at_once_and_the_rest_still_go(dummy_tasks, settings, start):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.RefusesSomeRecipients"
    RefusesSomeRecipients.refused = {"gone@example.com"}  # 550 mailbox unavailable
    SubscriberFactory(email="gone@example.com")
    SubscriberFactory(email="fine@example.com")
    issue = IssueFactory()
    start(issue)
    outcome = issue_send_batch(issue_id=issue.pk)
    assert (outcome.sent, outcome.failed, outcome.retried, outcome.pending) == (1, 1, 0, 0)
    refused = Delivery.objects.get(subscriber__email="gone@example.com")
    assert refused.status == Delivery.Status.FAILED
    assert (email_of(refused).attempts, email_of(refused).status) == (1, OutgoingEmail.Status.FAILED)
    assert recipients() == Counter({"fine@example.com": 1})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_an_issue_is_one_outbox_email_per_delivery_with_no_stored_body(dummy_tasks, start):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    start(issue)
    emails = OutgoingEmail.objects.filter(kind=ISSUE_EMAIL)
    assert sorted(emails.values_list("object_id", flat=True)) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert all(email.recipients == [] and email.payload == {} for email in emails)


def test_the_chain_waits_for_a_retry_instead_of_polling_every_interval(dummy_tasks, settings, start):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.RefusesSomeRecipients"
    settings.NEWSLETTER_BATCH_SIZE = 5
    settings.NEWSLETTER_RATE_PER_MINUTE = 60
    RefusesSomeRecipients.refused = {"busy@example.com"}
    RefusesSomeRecipients.reply = TRY_LATER
    SubscriberFactory(email="busy@example.com")
    issue = IssueFactory()
    start(issue)
    with time_machine.travel(timezone.now(), tick=False):
        first = dummy_tasks.results.pop(0)
        first.task.call(*first.args, **first.kwargs)  # refused: due again in a minute
        dummy_tasks.results.clear()
        idle = first.task.call(*first.args, **first.kwargs)
        [continuation] = dummy_tasks.results
        assert idle["sent"] == idle["retried"] == 0
        assert continuation.task.run_after == email_of(Delivery.objects.get()).next_attempt_at


def test_a_test_send_goes_only_to_the_staff_address(dummy_tasks):
    SubscriberFactory()
    issue = IssueFactory(subject="Spring hours")
    issue_send_test(issue=issue, to="editor@example.com")
    [message] = mail.outbox
    assert message.to == ["editor@example.com"]
    assert message.subject == "[Test] Spring hours"
    assert not Delivery.objects.exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_a_test_send_goes_through_the_outbox_and_is_retried_if_refused_for_now(dummy_tasks, settings):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.RefusesSomeRecipients"
    RefusesSomeRecipients.refused = {"editor@example.com"}
    RefusesSomeRecipients.reply = TRY_LATER
    issue_send_test(issue=IssueFactory(subject="Spring hours"), to="editor@example.com")
    email = OutgoingEmail.objects.get()
    assert (email.subject, email.recipients, email.status, email.attempts) == (
        "[Test] Spring hours",
        ["editor@example.com"],
        OutgoingEmail.Status.PENDING,
        1,
    )
    assert mail.outbox == []


@pytest.fixture(autouse=True)
def _reset_backends():
    yield
    CrashBeforeDelivering.budget = None
    CrashAfterDelivering.budget = None
    RefusesSomeRecipients.refused = set()
    RefusesSomeRecipients.reply = MAILBOX_UNAVAILABLE
