from django import template

from core.panels import panels_render

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot):
    """``{% panels "bookings.manage" %}``: what the apps above added to this place on the page."""
    request = context.get("request")
    if request is None:
        return ""
    return panels_render(slot, request=request, context=context.flatten())
