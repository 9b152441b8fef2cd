"""Database constraints that only PostgreSQL can state, kept in the models' state on every database.

An ``ExclusionConstraint`` ("no two active rows whose time ranges overlap for the same therapist")
is the database's own guarantee against double booking, and it belongs in ``Meta.constraints``
beside the check constraints. SQLite cannot express it, so ``PostgresExclusionConstraint`` writes
no SQL and skips model validation on any other database: the same models and migrations run on
both, and on SQLite the serialised write transaction plus the services' re-check hold the rule.

``violated_constraint`` reads which constraint an ``IntegrityError`` broke from the driver's
diagnostics, so services recognise a violation by name rather than by its error text.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections
from django.db.models import Func

POSTGRESQL = "postgresql"


class TsTzRange(Func):
    """PostgreSQL's ``tstzrange(lower, upper, bounds)``: two datetime columns as one range."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An ``ExclusionConstraint`` on PostgreSQL and nothing at all elsewhere.

    Django's schema editors skip a constraint whose SQL is None: ``add_constraint`` and
    ``remove_constraint`` execute nothing, and ``table_sql`` (``CREATE TABLE``, which SQLite also
    runs when it rebuilds a table to alter it) leaves it out of the definition.
    """

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != POSTGRESQL:
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != POSTGRESQL:
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != POSTGRESQL:
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor != POSTGRESQL:
            return
        super().validate(model, instance, exclude=exclude, using=using)


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint ``error`` reports, from psycopg's diagnostics; None when unknown.

    Django wraps the driver's exception and keeps it as ``__cause__``. SQLite's driver names no
    constraint, so there this is always None.
    """
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None)
