"""``{% load clinic_time %}``: the clinic's times in templates, through the one label of core.clinictime.

{{ appointment.starts_at|clinic_time }}                          10:00 AM · 1:00 AM EDT
{{ appointment.starts_at|clinic_time_range:appointment.ends_at }} 10:00 AM – 11:00 AM
{{ post.publish_at|clinic_date:"F jS, Y" }}                       December 1st, 2026 (date-only formats)
{{ post.publish_at|clinic_iso }}                                  2026-12-01T10:00:00-05:00
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


@register.filter
def clinic_date(moment: datetime | None, format_string: str) -> str:
    return clinictime.clinic_date(moment, format_string) if isinstance(moment, datetime) else ""


@register.filter
def clinic_iso(moment: datetime | None) -> str:
    return clinictime.clinic_isoformat(moment) if isinstance(moment, datetime) else ""
