"""URLs for benchmark runs only: the site plus a constant view, the framework's floor."""

from django.http import HttpResponse
from django.urls import path

from clinic.urls import urlpatterns as site_urlpatterns


def floor(request):
    """A constant response through the same middleware as every page: nothing is faster."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *site_urlpatterns]
