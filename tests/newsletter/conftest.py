import time

import pytest
from django.core import signing
from django.urls import reverse

from newsletter.tokens import FORM_STAMP_SALT


def stamp_from(seconds_ago: float) -> str:
    """A genuine form stamp, as if the form had been rendered ``seconds_ago``."""
    return signing.dumps(time.time() - seconds_ago, salt=FORM_STAMP_SALT)


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    """POST the sign-up form like a person who took 10 seconds to fill it in; on-commit work runs."""

    def post(email="reader@example.com", *, json=False, ip="203.0.113.9", **fields):
        data = {"email": email, "website": "", "stamp": stamp_from(10), "source": "/blog/", **fields}
        headers = {"HTTP_ACCEPT": "application/json"} if json else {}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("newsletter:subscribe"), data, REMOTE_ADDR=ip, **headers)

    return post
