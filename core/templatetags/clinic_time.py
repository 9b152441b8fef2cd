"""``{% load clinic_time %}``: the clinic's times in templates, through the one label of core.clinictime.

{{ appointment.starts_at|clinic_time }}                          10:00 AM · 1:00 AM EDT
{{ appointment.starts_at|clinic_time_range:appointment.ends_at }} 10:00 AM – 11:00 AM
"""

from datetime import datetime

from django import template

from core import clinictime

register = template.Library()


@register.filter
def clinic_time(moment: datetime | None) -> str:
    return clinictime.clinic_time(moment) if isinstance(moment, datetime) else ""


@register.filter
def clinic_time_range(start: datetime | None, end: datetime | None) -> str:
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return clinic_time(start)
    return clinictime.clinic_time_range(start, end)
