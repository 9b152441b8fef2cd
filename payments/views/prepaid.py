"""Public pages for gift cards: the balance a code has left.

Each look-up counts against ``payments:giftcard_lookup`` for the visitor's address (core.ratelimit), whether
the code exists or not, so codes cannot be tried in bulk. The code travels in a POST body, never in the URL.
With payments off (core.money.payments_enabled) the pages do not exist.
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.money import payments_enabled
from core.ratelimit import rate_limit_exceeded
from core.site import clinic_details

from ..giftcards import UNKNOWN_CODE, giftcard_find
from ..prepaid_forms import GiftCardCodeForm

TOO_MANY = "Too many look-ups from your network. Please wait a few minutes and try again, or call us."


def payments_required() -> None:
    if not payments_enabled():
        raise Http404("The clinic takes no payments online.")


@never_cache
def giftcard_balance(request):
    payments_required()
    form = GiftCardCodeForm(request.POST or None)
    context = {"form": form, "clinic": clinic_details()}
    status = 200
    if request.method == "POST":
        if rate_limit_exceeded(request, scope="payments:giftcard_lookup"):
            context["error"] = TOO_MANY
            status = 429
        elif form.is_valid():
            card = giftcard_find(form.cleaned_data["code"])
            if card is None:
                form.add_error("code", UNKNOWN_CODE)
                status = 404
            else:
                context["card"] = card
        else:
            status = 400
    return render(request, "payments/giftcard_balance.html", context, status=status)
