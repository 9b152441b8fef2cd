import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from blog.selectors import posts_for_home
from bookings.selectors import services_listed, therapists_listed
from core.cachehealth import cache_answers
from core.site import clinic_details

logger = logging.getLogger(__name__)


def home(request):
    context = {"services": services_listed(), "therapists": therapists_listed(), **posts_for_home()}
    return render(request, "home.html", context)


def privacy(request):
    return render(request, "privacy.html")


@require_GET
def icon(request, name):
    """``/favicon.ico`` and ``/apple-touch-icon.png``, which browsers and crawlers ask for at the root."""
    return redirect(static(f"clinic/img/{name}"), permanent=True)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /blog/preview/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def healthz(request):
    """Liveness check for load balancers and monitoring: every dependency a page needs, and its state.

    503 when the database does not answer (no page can be served). A cache that does not answer
    leaves the site working without it (see ``redis_cache`` in the settings), so the answer stays
    200 but says ``"status": "degraded"`` for monitoring to alert on: taking every server out of the
    load balancer because their shared Redis is down would turn a slow site into no site.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unavailable")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    if cache_answers():
        return JsonResponse({"status": "ok", "database": "ok", "cache": "ok"})
    logger.error("Health check: cache unavailable; serving without it")
    return JsonResponse({"status": "degraded", "database": "ok", "cache": "unavailable"})


def server_error(request):
    """The 500 page, rendered without a request context so it cannot fail on the database."""

    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"clinic": clinic_details()}))
