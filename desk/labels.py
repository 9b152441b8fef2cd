"""Clock times as the desk shows them: "9:15 AM" in the clinic's zone, with the zone added only where the
wall-clock time happens twice (the fall-back hour), so no label on the desk is ambiguous."""

from datetime import datetime

from bookings.availability import clinic_tz


def clock_label(moment: datetime) -> str:
    local = moment.astimezone(clinic_tz())
    label = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        label += f" {local.tzname()}"
    return label
