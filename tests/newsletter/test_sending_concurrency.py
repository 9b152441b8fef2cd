"""Two workers sending the same issue at once: the claim's row lock is what keeps it exactly-once.

Pretix-style: first show the race is real with the lock switched off, then that the lock stops it.
The lock is the outbox's (core.mailsending._due_rows_lock): both workers are made to read the queue at
the same moment, before either has claimed anything, and then to be mid-send together.
"""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from core import mailsending
from newsletter import sending
from tests.factories import IssueFactory, SubscriberFactory

from .backends import MeetAtFirstSend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    SubscriberFactory.create_batch(6)
    issue = IssueFactory()
    sending.issue_send_start(issue=issue)
    return issue


@pytest.fixture
def workers_meet_mid_send(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks: on SQLite the IMMEDIATE transaction lets only one worker write at a time")
    settings.EMAIL_BACKEND = "tests.newsletter.backends.MeetAtFirstSend"
    MeetAtFirstSend.barrier = threading.Barrier(2, timeout=10)
    MeetAtFirstSend.arrived = set()
    yield
    MeetAtFirstSend.barrier = None


def read_the_queue_together(monkeypatch, read_due_rows) -> None:
    """Each worker's first claim waits, after reading the due rows, until the other has read them too."""
    barrier = threading.Barrier(2, timeout=10)
    arrived = set()

    def read_then_meet(querysets, limit):
        rows = read_due_rows(querysets, limit)
        if threading.get_ident() not in arrived:
            arrived.add(threading.get_ident())
            barrier.wait()
        return rows

    monkeypatch.setattr(mailsending, "_due_rows_lock", read_then_meet)


def run_two_workers(issue_id: int) -> None:
    errors = []

    def work():
        try:
            while sending.issue_send_batch(issue_id=issue_id, batch_size=3).due:
                pass
        except BaseException as exc:  # surfaced below, in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


def recipients() -> Counter:
    return Counter(address for message in mail.outbox for address in message.to)


@pytest.mark.postgres
def test_without_the_row_lock_two_workers_send_the_same_delivery_twice(issue, workers_meet_mid_send, monkeypatch):
    def read_without_lock(querysets, limit):
        rows = []
        for queryset in querysets:
            rows += queryset[: limit - len(rows)]
        return rows

    read_the_queue_together(monkeypatch, read_without_lock)
    run_two_workers(issue.pk)
    assert max(recipients().values()) == 2


@pytest.mark.postgres
def test_with_the_row_lock_two_workers_send_each_delivery_once(issue, workers_meet_mid_send, monkeypatch):
    read_the_queue_together(monkeypatch, mailsending._due_rows_lock)
    run_two_workers(issue.pk)
    assert sorted(recipients().values()) == [1] * 6


def test_two_workers_at_once_send_each_delivery_once_on_any_database(issue):
    run_two_workers(issue.pk)
    assert sorted(recipients().values()) == [1] * 6
