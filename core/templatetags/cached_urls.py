"""``{% url %}`` with each address reversed once per process (a builtin of the template engine, see settings).

Every page draws the same menu, footer and feed links, and ``reverse()`` walks the URL resolver for
each (about 20 µs; a list page has twenty). The answer depends only on the view's name, its
arguments, the current application, the script prefix and the URL configuration, so it is kept
under exactly those. Arguments other than strings and integers (a model instance reverses through
``str()``, which can change) go through Django's own tag every time, as does anything that fails.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@lru_cache(maxsize=4096)
def _reversed(view_name, args, kwargs, current_app, prefix, urlconf, root_urlconf) -> str:
    """``prefix``, ``urlconf`` and ``root_urlconf`` only key the cache: reverse() reads them itself."""
    return reverse(view_name, args=list(args), kwargs=dict(kwargs), current_app=current_app)


class CachedURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((name, value.resolve(context)) for name, value in self.kwargs.items())
        view_name = self.view_name.resolve(context)
        plain = (str, int)
        if not isinstance(view_name, str) or not all(
            type(value) in plain for value in (*args, *(value for _, value in kwargs))
        ):
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        try:
            url = _reversed(
                view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF
            )
        except Exception:  # NoReverseMatch and the rest: Django's tag answers (or raises) as it always does
            return super().render(context)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}``, parsed by Django's own tag, rendered through the cache above."""
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
