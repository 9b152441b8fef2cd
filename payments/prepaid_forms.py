"""Public forms for gift cards and packages: what a visitor types, checked before any service is called."""

from django import forms
from django.conf import settings
from django.utils import timezone

from core.money import money_format, to_minor

from .codes import code_normalise
from .giftcards import GiftCardRefused, giftcard_amount_check


class GiftCardCodeForm(forms.Form):
    code = forms.CharField(
        label="Gift card code",
        max_length=40,
        help_text="The 16 letters and digits in your gift card email, e.g. 7KQ2-M9XD-4TBN-E3WA.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("A gift card code is 16 letters and digits, in four groups of four.")
        return code


class PackageCodeForm(forms.Form):
    email = forms.EmailField(label="The email address the package was bought with", max_length=254)
    code = forms.CharField(
        label="Package code",
        max_length=40,
        help_text="The 16 letters and digits in your package receipt.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("A package code is 16 letters and digits, in four groups of four.")
        return code


class PackageBuyForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="Your email",
        max_length=254,
        help_text="Your receipt and the package's private code go here; you give both when you book.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class GiftCardBuyForm(forms.Form):
    amount = forms.DecimalField(label="Amount", decimal_places=2, max_digits=9)
    purchaser_name = forms.CharField(
        label="Your name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    purchaser_email = forms.EmailField(
        label="Your email",
        help_text="Your receipt goes here (without the code).",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    recipient_name = forms.CharField(label="Their name", max_length=120)
    recipient_email = forms.EmailField(
        label="Their email", help_text="The gift card's code goes here on the day you choose."
    )
    message = forms.CharField(
        label="A message for them (optional)", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    deliver_on = forms.DateField(label="Email it to them on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"deliver_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        low, high = settings.GIFT_CARD_MIN_AMOUNT, settings.GIFT_CARD_MAX_AMOUNT
        self.fields["amount"].help_text = f"From {money_format(low)} to {money_format(high)}."

    def clean_amount(self) -> int:
        amount = to_minor(self.cleaned_data["amount"])
        try:
            giftcard_amount_check(amount)
        except GiftCardRefused as refused:
            raise forms.ValidationError(refused.message) from None
        return amount

    def clean_deliver_on(self):
        day = self.cleaned_data["deliver_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("Choose today or a day to come.")
        return day
