"""The desk's forms for selling a package or a gift card in person (payments.packages / payments.giftcards)."""

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone

from core.money import from_minor, money_format, to_minor
from payments.giftcards import GiftCardRefused, giftcard_amount_check
from payments.prepaid_models import Package, SaleMethod

from .forms import DeskForm

DESK_METHODS = [(SaleMethod.CASH, "Cash"), (SaleMethod.TERMINAL, "Card terminal"), (SaleMethod.CARD, "Card (keyed in)")]


class PackageSaleForm(DeskForm, forms.Form):
    package = forms.ModelChoiceField(queryset=Package.objects.filter(is_active=True), empty_label=None)
    name = forms.CharField(label="Client's name", max_length=120)
    email = forms.EmailField(label="Client's email", help_text="The receipt and the package code go here.")
    method = forms.ChoiceField(label="Paid by", choices=DESK_METHODS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].label_from_instance = lambda package: f"{package.name} · {money_format(package.price)}"


class GiftCardSaleForm(DeskForm, forms.Form):
    amount = forms.DecimalField(label="Amount", min_value=Decimal("0.01"), decimal_places=2, max_digits=9)
    purchaser_name = forms.CharField(label="Buyer's name", max_length=120)
    purchaser_email = forms.EmailField(label="Buyer's email", help_text="The receipt goes here (without the code).")
    recipient_name = forms.CharField(label="Recipient's name", max_length=120)
    recipient_email = forms.EmailField(label="Recipient's email", help_text="The code goes here on the day below.")
    message = forms.CharField(
        label="Message (optional)", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    deliver_on = forms.DateField(label="Email it on", widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(label="Paid by", choices=DESK_METHODS)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"deliver_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        low, high = from_minor(settings.GIFT_CARD_MIN_AMOUNT), from_minor(settings.GIFT_CARD_MAX_AMOUNT)
        self.fields["amount"].help_text = f"From {low} to {high}."

    def clean_amount(self) -> int:
        amount = to_minor(self.cleaned_data["amount"])
        try:
            giftcard_amount_check(amount)
        except GiftCardRefused as refused:
            raise forms.ValidationError(refused.message) from None
        return amount

    def clean_deliver_on(self) -> date:
        day = self.cleaned_data["deliver_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("Choose today or a day to come.")
        return day
