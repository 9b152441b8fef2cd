"""The one way to lock what a capacity write uses up (pretix's ``locking.py`` is the model).

Every write that uses up something scarce — a therapist's or a room's time today; a waitlist place,
a session from a package or the second therapist of a multi-therapist booking tomorrow — follows
the same four steps, and no other:

1. **Open a transaction** (``transaction.atomic()``). ``rows_lock`` refuses to run outside one,
   because a lock taken in autocommit is released before the next statement.
2. **Lock** the rows that stand for the capacity with one call to ``rows_lock``, before reading
   anything the write depends on (``rows_lock(Therapist.objects.filter(...), rooms)``).
3. **Re-check** availability: every other writer of the same capacity now waits, so what is read
   is what is committed and stays so until this transaction ends.
4. **Write**, and let the database constraint (on PostgreSQL the exclusion constraints in
   ``core.constraints``) catch anything the re-check missed; the service turns that into the same
   friendly answer as a failed re-check.

New capacity writers lock through this helper too, and take everything they need in that one
call: locking more capacity rows later in the transaction would step outside the sorted order.

Lock order: models by label (``"bookings.Room"`` before ``"bookings.Therapist"``), then each
model's rows by primary key, whatever order the caller passes them in. Two writers whose sets
overlap therefore meet at the first row they share; one waits for the other, and neither can hold
a row the other needs (no deadlock).

Timeout: on PostgreSQL ``lock_timeout`` is set for the rest of the transaction to
``settings.LOCK_TIMEOUT_MS``, so a lock held by a stuck transaction ends in ``LockTimeout`` (an
``OperationalError``, which the site answers with its 503 "try again" page) instead of a request
that hangs until the proxy gives up.

SQLite has no row locks (Django skips ``select_for_update`` there), and needs none: the IMMEDIATE
transaction mode in ``clinic/settings`` takes the database's single write lock at ``BEGIN``, so
writers are already serialised before they read, and the connection's ``timeout`` bounds the wait.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Model, Q, QuerySet
from django.db.transaction import TransactionManagementError

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires

_switched_off = False


class LockTimeout(OperationalError):
    """A row stayed locked by another transaction for longer than ``settings.LOCK_TIMEOUT_MS``."""


def rows_lock(*targets: Model | QuerySet) -> None:
    """Lock the given rows (model instances or querysets) until the current transaction ends.

    Raises ``TransactionManagementError`` outside ``transaction.atomic()`` and ``LockTimeout`` when
    a row cannot be locked in time on PostgreSQL.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "rows_lock() must run inside transaction.atomic(): outside one, the lock would end at once."
        )
    if _switched_off:
        return
    wanted: dict[type[Model], list[Q]] = defaultdict(list)
    for target in targets:
        if isinstance(target, QuerySet):
            wanted[target.model._meta.concrete_model].append(Q(pk__in=target.values("pk")))
        else:
            wanted[target._meta.concrete_model].append(Q(pk=target.pk))
    if not wanted:
        return
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.LOCK_TIMEOUT_MS}ms"])
        for model in sorted(wanted, key=lambda model: model._meta.label):
            rows = model._base_manager.filter(reduce(or_, wanted[model])).select_for_update()
            list(rows.order_by("pk").values_list("pk", flat=True))
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise LockTimeout(
            f"Could not lock {', '.join(sorted(model._meta.label for model in wanted))} rows "
            f"within {settings.LOCK_TIMEOUT_MS} ms; another transaction holds them."
        ) from error


@contextmanager
def locking_disabled() -> Iterator[None]:
    """For tests only: ``rows_lock`` takes no locks inside this block, in every thread.

    A concurrency test uses it to show the race is real without the lock (its control case)
    before showing the lock stops it. The transaction check still applies.
    """
    global _switched_off
    previous, _switched_off = _switched_off, True
    try:
        yield
    finally:
        _switched_off = previous
