"""Public forms for gift cards and packages: what a visitor types, checked before any service is called."""

from django import forms

from .codes import code_normalise


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
