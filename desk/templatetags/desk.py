from django import template

from ..labels import clock_label

register = template.Library()


@register.filter
def clock(moment) -> str:
    """A time as the desk shows it ("9:15 AM", with the zone in the fall-back hour)."""
    return clock_label(moment) if moment else ""
