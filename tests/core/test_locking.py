"""The one locking helper: only in a transaction, in one sorted order, and never waiting for ever."""

import threading
import time

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from core.locking import LockTimeout, locking_disabled, rows_lock


@pytest.fixture
def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL to run it): SQLite has no row locks")


@pytest.fixture
def row_held_elsewhere(needs_postgresql):
    """A group whose row another connection has locked, until the test ends."""
    group = Group.objects.create(name="Front desk")
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Group.objects.select_for_update().get(pk=group.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=10)
    yield group
    release.set()
    holder.join(timeout=30)


def test_locking_outside_a_transaction_is_refused():
    with pytest.raises(TransactionManagementError, match="inside transaction.atomic"):
        rows_lock(Group(pk=1))


def test_locking_outside_a_transaction_is_refused_even_with_locking_switched_off():
    with locking_disabled(), pytest.raises(TransactionManagementError):
        rows_lock(Group(pk=1))


@pytest.mark.django_db
def test_rows_are_locked_model_by_model_in_label_order_then_by_primary_key():
    first, second = Group.objects.create(name="A"), Group.objects.create(name="B")
    user = User.objects.create_user("desk")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rows_lock(User.objects.filter(pk=user.pk), second, first)
    locks = [query["sql"] for query in queries if "set_config" not in query["sql"]]
    assert len(locks) == 2
    assert 'FROM "auth_group"' in locks[0] and 'FROM "auth_user"' in locks[1]
    assert all('SELECT "auth_' in sql and '"."id" AS "pk"' in sql and "ORDER BY 1 ASC" in sql for sql in locks)
    if connection.vendor == "postgresql":
        assert all(sql.rstrip().endswith("FOR UPDATE") for sql in locks)


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_a_stuck_transaction_times_out_with_a_clear_error(row_held_elsewhere, settings):
    settings.LOCK_TIMEOUT_MS = 200
    started = time.monotonic()
    with pytest.raises(LockTimeout, match=r"auth\.Group rows within 200 ms"), transaction.atomic():
        rows_lock(row_held_elsewhere)
    assert time.monotonic() - started < 5


@pytest.mark.django_db(transaction=True)
def test_with_locking_switched_off_a_locked_row_does_not_make_the_writer_wait(row_held_elsewhere, settings):
    settings.LOCK_TIMEOUT_MS = 5000
    started = time.monotonic()
    with locking_disabled(), transaction.atomic():
        rows_lock(row_held_elsewhere)
    assert time.monotonic() - started < 2
