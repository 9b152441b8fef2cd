from django import forms
from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from .tokens import form_stamp_age_seconds


class SubscribeForm(forms.Form):
    """The newsletter sign-up: an address, plus two quiet checks that stop simple bots.

    ``website`` is a honeypot people never see; ``stamp`` is the signed time the form was
    rendered. A bot trips either and gets the normal success answer, but nothing happens.
    The stamp is a minimum fill time, not a secret: a page served from a cache carries the stamp of
    its rendering, older than the visitor's visit, so it only ever errs towards letting a person in,
    and it has no upper age limit (a cached page, or a tab left open for days, still subscribes).
    """

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a complete email address, like name@example.com.",
            "max_length": "That email address is too long: 254 characters at most.",
        },
    )
    website = forms.CharField(required=False)
    stamp = forms.CharField(required=False)
    source = forms.CharField(required=False, max_length=500)

    def is_bot(self) -> bool:
        if self.cleaned_data["website"]:
            return True
        age = form_stamp_age_seconds(self.cleaned_data["stamp"])
        return age is None or age < settings.NEWSLETTER_MIN_FILL_SECONDS

    def source_url(self) -> str:
        """The absolute URL of the page the form was on, when it is one of ours."""
        path = self.cleaned_data["source"]
        if path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
            return settings.SITE_URL + path
        return settings.SITE_URL + "/"

    def first_error(self) -> str:
        for errors in self.errors.values():
            return errors[0]
        return ""
