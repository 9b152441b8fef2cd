"""PostgreSQL's own guarantee against double booking: no two active appointments may overlap in
[starts_at, blocked_until) for the same therapist or the same room.

Written before the constraints joined ``Appointment.Meta.constraints``: migration 0005 adds them to
the state without touching the database, so this one still creates them on fresh installs. SQLite
cannot express them; there the serialised write transaction plus re-check holds the rule.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import Func, Q


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def constraints():
    active = ~Q(status="cancelled")
    session = TsTzRange("starts_at", "blocked_until", RangeBoundary(inclusive_lower=True, inclusive_upper=False))
    return [
        ExclusionConstraint(
            name="appointment_no_therapist_overlap",
            expressions=[("therapist", RangeOperators.EQUAL), (session, RangeOperators.OVERLAPS)],
            condition=active,
        ),
        ExclusionConstraint(
            name="appointment_no_room_overlap",
            expressions=[("room", RangeOperators.EQUAL), (session, RangeOperators.OVERLAPS)],
            condition=active,
        ),
    ]


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Appointment = apps.get_model("bookings", "Appointment")
    for constraint in constraints():
        schema_editor.add_constraint(Appointment, constraint)


def remove_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Appointment = apps.get_model("bookings", "Appointment")
    for constraint in constraints():
        schema_editor.remove_constraint(Appointment, constraint)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_schedule_and_appointments")]

    operations = [
        # A no-op on other databases: CreateExtension checks the vendor itself.
        BtreeGistExtension(),
        migrations.RunPython(add_constraints, remove_constraints, elidable=False),
    ]
