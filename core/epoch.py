"""A timestamp column read as whole seconds since 1970 (UTC): a plain integer instead of a datetime.

Loading a timezone-aware datetime costs the database driver far more than an integer, and code
that only compares and adds times (availability) needs nothing else. Whole seconds, rounded down,
as ``int(moment.timestamp())`` gives them for any moment after 1970.
"""

from django.db.models import BigIntegerField, Func

# date_part() answers in double precision, which PostgreSQL computes several times faster than
# EXTRACT's numeric (a month of availability reads thousands of these); rounded down as Python's
# int(moment.timestamp()) rounds the same double. Django stores UTC text on SQLite
# ("2026-03-03 14:00:00.5"); unixepoch() drops the fraction.
_SQL = {"postgresql": "FLOOR(date_part('epoch', {}))::bigint", "sqlite": "unixepoch({})"}


def epoch_sql(column: str, vendor: str) -> str:
    """``column`` read as ``EpochSeconds`` reads it, for SQL written by hand."""
    return _SQL[vendor].format(column)


# 1 January 1970 is day 719163 of ``date.toordinal()``; SQLite's Julian day of a date is a whole day plus .5.
_ORDINAL_SQL = {
    "postgresql": "({} - DATE '1970-01-01' + 719163)",
    "sqlite": "CAST(julianday({}) - 2440587.5 + 719163 AS INTEGER)",
}


def ordinal_sql(column: str, vendor: str) -> str:
    """A date column read as ``date.toordinal()`` of its value: a plain integer the driver loads fast."""
    return _ORDINAL_SQL[vendor].format(column)


class EpochSeconds(Func):
    arity = 1
    output_field = BigIntegerField()
    template = epoch_sql("%(expressions)s", "postgresql")

    def get_db_converters(self, connection):
        # Both databases answer with an integer already: skip the int() an expression adds for each row.
        return self.output_field.get_db_converters(connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=epoch_sql("%(expressions)s", "sqlite"), **extra_context)


# Django stores a time on SQLite as "HH:MM:SS" or "HH:MM:SS.ffffff".
_CLOCK_SQL = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM {0}) * 1000000 AS BIGINT)",
    "sqlite": (
        "(CAST(substr({0}, 1, 2) AS INTEGER) * 3600 + CAST(substr({0}, 4, 2) AS INTEGER) * 60"
        " + CAST(substr({0}, 7, 2) AS INTEGER)) * 1000000 + CAST(substr({0} || '.000000', 10, 6) AS INTEGER)"
    ),
}


def clock_sql(column: str, vendor: str) -> str:
    """A time column read as microseconds since midnight: a plain integer, alike on both databases."""
    return _CLOCK_SQL[vendor].format(column)
