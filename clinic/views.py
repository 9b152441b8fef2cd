import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from blog.selectors import posts_for_home
from bookings.selectors import services_active, therapists_public
from core.cachehealth import cache_answers
from core.generations import generation_cached_many
from core.httpcache import pages_generation
from core.site import clinic_details

logger = logging.getLogger(__name__)


HOME_SECTIONS_SECONDS = 300


def home(request):
    return render(request, "home.html", {**_home_sections(), **posts_for_home()})


def _home_sections() -> dict:
    """The home page's services and team, rendered: kept in the cache until the bookings' public pages change
    (an admin edit of a service or a therapist) or five minutes pass, and read in one round trip."""
    return generation_cached_many(
        pages_generation("bookings"),
        {
            "services_section": lambda: render_to_string("clinic/_home_services.html", {"services": services_active()}),
            "team_section": lambda: render_to_string("clinic/_home_team.html", {"therapists": therapists_public()}),
        },
        prefix="home:",
        seconds=lambda token: HOME_SECTIONS_SECONDS,
    )


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
