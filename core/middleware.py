import logging

from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from .site import clinic_details

logger = logging.getLogger(__name__)


def permissions_policy(get_response):
    """Switch off browser features the site never uses."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def database_unavailable(get_response):
    """When the database cannot be reached, answer a friendly 503 page instead of a 500.

    Nothing is half-written: the failed request's transaction never committed.
    """

    def middleware(request):
        return get_response(request)

    def process_exception(request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable while serving %s", request.path, exc_info=exception)
        body = loader.get_template("503.html").render({"clinic": clinic_details()})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response

    middleware.process_exception = process_exception
    return middleware


UNREADABLE_INPUT = "The request holds characters or numbers we cannot read; nothing was changed."


def _holds_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


def reject_unreadable_input(get_response):
    """Answer 400, not 500, to input no database column can hold.

    A NUL character in the path or query string is refused up front: no link of ours contains one, and
    PostgreSQL rejects it in any text comparison. Form fields refuse it already (Django's CharField).
    As a last line, a ``DataError`` (a value the column cannot store: NUL, an integer beyond bigint)
    becomes the same 400; the failed statement's transaction rolled back, so nothing was half-written.
    """

    def refuse(request):
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": UNREADABLE_INPUT}, status=400)
        return render(request, "400.html", status=400)

    def middleware(request):
        if _holds_nul(request):
            return refuse(request)
        return get_response(request)

    def process_exception(request, exception):
        if not isinstance(exception, DataError):
            return None
        logger.warning("Unstorable input refused on %s: %s", request.path, type(exception).__name__)
        return refuse(request)

    middleware.process_exception = process_exception
    return middleware
