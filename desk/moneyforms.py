"""The desk's money forms: an amount as people type it, a fee (at most the policy's), a refund, a desk payment.

Each form that writes money carries an ``intention``: a random token made when the form is drawn,
which becomes part of the ledger entry's idempotency key, so the same form sent twice (a double
click, a reload after a slow answer) is one entry. The services check every rule again.
"""

import secrets

from django import forms

from core.money import money_format
from payments.models import LedgerEntry

from .forms import DeskForm
from .money import DESK_METHODS, MoneyRefused, amount_parse

INTENTION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def new_intention() -> str:
    return secrets.token_urlsafe(18)


class AmountField(forms.CharField):
    """An amount in the clinic's currency as typed ("45", "45.50"), cleaned to minor units (an int)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("error_messages", {"required": "Enter an amount."})
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        try:
            return amount_parse(value)
        except MoneyRefused as refused:
            raise forms.ValidationError(refused.message, code="amount") from None


class MoneyForm(DeskForm, forms.Form):
    """A desk form whose fields depend on the booking: ``prepare`` sets them up before they are styled and checked."""

    def style_fields(self) -> None:
        self.prepare()
        super().style_fields()
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.pop("class", None)

    def prepare(self) -> None:
        pass


class IntentionForm(MoneyForm):
    intention = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        if data is None:
            self.initial.setdefault("intention", new_intention())

    def clean_intention(self):
        value = self.cleaned_data["intention"]
        if not set(value) <= INTENTION_CHARS:
            raise forms.ValidationError("This form was changed on the way; reload the page and try again.")
        return value

    def clean(self):
        cleaned = super().clean()
        if self.has_error("intention"):  # a hidden field's error would show nowhere: say it above the form
            self.add_error(None, self.errors["intention"].as_text().removeprefix("* "))
        return cleaned


class FeeForm(MoneyForm):
    amount = AmountField(label="Amount to charge")

    def __init__(self, data=None, *, most: int, **kwargs):
        self.most = most
        super().__init__(data, **kwargs)

    def prepare(self) -> None:
        most = money_format(self.most)
        self.fields[
            "amount"
        ].help_text = f"At most {most}: the policy's fee, less anything already paid for the session."

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount > self.most:
            raise forms.ValidationError(
                f"{money_format(amount)} is more than the fee of {money_format(self.most)}; charge that or less."
            )
        return amount


class RefundForm(IntentionForm):
    payment = forms.TypedChoiceField(label="Payment to refund", coerce=int, widget=forms.RadioSelect)
    amount = AmountField(label="Amount to refund")

    def __init__(self, data=None, *, payments: list[LedgerEntry], **kwargs):
        self.payments = {payment.pk: payment for payment in payments}
        super().__init__(data, **kwargs)
        if len(payments) == 1:
            self.initial.setdefault("payment", payments[0].pk)

    def prepare(self) -> None:
        self.fields["payment"].choices = [
            (
                payment.pk,
                f"{payment.get_kind_display().split(' (')[0]} · {payment.get_method_display()} · "
                f"{money_format(payment.amount)} paid, {money_format(payment.left)} refundable",
            )
            for payment in self.payments.values()
        ]
        self.fields["payment"].error_messages["invalid_choice"] = (
            "That payment is not one of this booking's, or nothing of it is left to refund."
        )

    def clean(self):
        cleaned = super().clean()
        payment, amount = self.payments.get(cleaned.get("payment")), cleaned.get("amount")
        if payment is not None and amount is not None and amount > payment.left:
            self.add_error(
                "amount",
                f"At most {money_format(payment.left)} of that payment is left to refund; "
                f"{money_format(amount)} is more than was paid.",
            )
        cleaned["payment_entry"] = payment
        return cleaned


class DeskPaymentForm(IntentionForm):
    amount = AmountField(label="Amount paid")
    method = forms.ChoiceField(
        label="Paid by",
        choices=[(method.value, method.label) for method in DESK_METHODS],
        widget=forms.RadioSelect,
        initial=LedgerEntry.Method.TERMINAL,
        error_messages={
            "invalid_choice": "Choose cash or the card terminal.",
            "required": "Choose how the client paid.",
        },
    )
    note = forms.CharField(label="Note (optional)", max_length=200, required=False)
