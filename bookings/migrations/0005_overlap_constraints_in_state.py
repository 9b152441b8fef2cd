"""The two exclusion constraints join ``Appointment.Meta.constraints``: state only.

Migration 0003 creates them on PostgreSQL (fresh installs and existing ones alike), so the database
already has them and nothing runs here. On SQLite ``PostgresExclusionConstraint`` writes no SQL.
"""

import django.contrib.postgres.fields.ranges
from django.db import migrations, models

import core.constraints


def overlap_constraint(name, column):
    return core.constraints.PostgresExclusionConstraint(
        condition=models.Q(("status", "cancelled"), _negated=True),
        expressions=[
            (column, "="),
            (
                core.constraints.TsTzRange(
                    "starts_at",
                    "blocked_until",
                    django.contrib.postgres.fields.ranges.RangeBoundary(inclusive_lower=True, inclusive_upper=False),
                ),
                "&&",
            ),
        ],
        name=name,
    )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0004_booking_history")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=overlap_constraint("appointment_no_therapist_overlap", "therapist"),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=overlap_constraint("appointment_no_room_overlap", "room"),
                ),
            ],
        ),
    ]
