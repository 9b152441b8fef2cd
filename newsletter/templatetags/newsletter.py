from django import template

from ..services import CONSENT_TEXT
from ..tokens import form_stamp_make

register = template.Library()


@register.simple_tag
def subscribe_form_stamp() -> str:
    return form_stamp_make()


@register.simple_tag
def subscribe_consent_text() -> str:
    return CONSENT_TEXT
