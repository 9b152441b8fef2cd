"""Constraints are known by their name from the driver's diagnostics, never from the error text."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction

from core.constraints import violated_constraint


def test_an_error_that_only_mentions_a_constraint_in_its_text_names_none():
    error = IntegrityError('conflicting key value violates exclusion constraint "appointment_no_room_overlap"')
    assert violated_constraint(error) is None


@pytest.mark.django_db
def test_a_unique_violation_names_the_constraint_it_broke_on_postgresql():
    Group.objects.create(name="Front desk")
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Group.objects.create(name="Front desk")
    expected = "auth_group_name_key" if connection.vendor == "postgresql" else None
    assert violated_constraint(caught.value) == expected
