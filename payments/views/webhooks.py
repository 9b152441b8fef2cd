"""Stripe's webhook endpoint: POST only, no CSRF token (Stripe signs the body instead), never cached."""

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.money import payments_enabled

from ..gateway import BadSignature
from ..webhooks import stripe_event_receive

MAX_BODY = 512 * 1024


@csrf_exempt
@never_cache
@require_POST
def stripe_webhook(request):
    if not payments_enabled():
        raise Http404("Payments are not set up.")
    if len(request.body) > MAX_BODY:
        return HttpResponseBadRequest("Event too large.", content_type="text/plain")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = stripe_event_receive(payload=request.body, signature=signature)
    except BadSignature:
        return HttpResponseBadRequest("Signature does not match.", content_type="text/plain")
    return HttpResponse(event.outcome or "ok", content_type="text/plain")
