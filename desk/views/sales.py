"""Selling a package or a gift card at the desk: recorded with how it was paid (cash, terminal, card), one
ledger entry each, the receipt emailed. Only while the clinic takes payments (core.money.payments_enabled)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from core.money import money_format, payments_enabled
from payments.giftcards import GiftCardRefused, giftcard_sell_at_desk
from payments.packages import PackageRefused, package_sell_at_desk

from ..access import desk_view
from ..sale_forms import GiftCardSaleForm, PackageSaleForm


def _payments_on() -> None:
    if not payments_enabled():
        raise Http404("The clinic takes no payments here.")


@desk_view
def package_sell(request):
    _payments_on()
    form = PackageSaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            purchase = package_sell_at_desk(
                package=data["package"],
                name=data["name"],
                email=data["email"],
                method=data["method"],
                sold_by=request.user,
            )
        except PackageRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                f"Sold {purchase.package.name} to {purchase.name} for {money_format(purchase.price)}; "
                f"the code {purchase.code} is in their receipt email.",
            )
            return redirect("desk:package_sell")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "desk/sell_package.html", {"form": form, "desk_section": "sell"}, status=status)


@desk_view
def giftcard_sell(request):
    _payments_on()
    form = GiftCardSaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            card = giftcard_sell_at_desk(sold_by=request.user, **form.cleaned_data)
        except GiftCardRefused as refusal:
            form.add_error("amount" if "gift card is for" in refusal.message else None, refusal.message)
        else:
            messages.success(
                request,
                f"Sold a {money_format(card.amount)} gift card for {card.recipient_name}; "
                f"it is emailed to them on {card.deliver_on:%d %B %Y}.",
            )
            return redirect("desk:giftcard_sell")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "desk/sell_giftcard.html", {"form": form, "desk_section": "sell"}, status=status)
