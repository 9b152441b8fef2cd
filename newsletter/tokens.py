"""Signed tokens for the links we email and for the subscribe form's fill-time stamp.

Links carry the subscriber's random ``token`` (never the address or the primary key), signed
with a salt per purpose so a confirmation link can never act as an unsubscribe link or back.

- Confirm links expire after NEWSLETTER_CONFIRM_MAX_AGE_SECONDS (7 days) and carry the time
  they were issued, so a link mailed before someone unsubscribed cannot subscribe them again.
- Unsubscribe links never expire: RFC 8058 one-click requests and year-old emails in an archive
  must still work, and the only thing the token can do is take someone off the list.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
FORM_STAMP_SALT = "newsletter.form-stamp"


class TokenInvalid(Exception):
    """The token was altered, truncated or never issued by us."""


class TokenExpired(Exception):
    """The token is genuine but older than its maximum age."""


@dataclass(frozen=True)
class ConfirmClaim:
    subscriber_token: str
    issued_at: datetime


def confirm_token_make(*, subscriber_token: str) -> str:
    return signing.dumps({"s": subscriber_token, "at": int(time.time())}, salt=CONFIRM_SALT)


def confirm_token_read(value: str) -> ConfirmClaim:
    try:
        payload = signing.loads(value, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except signing.BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), str) or not isinstance(payload.get("at"), int):
        raise TokenInvalid
    return ConfirmClaim(subscriber_token=payload["s"], issued_at=datetime.fromtimestamp(payload["at"], tz=UTC))


def unsubscribe_token_make(*, subscriber_token: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscriber_token)


def unsubscribe_token_read(value: str) -> str:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(value)
    except signing.BadSignature as exc:
        raise TokenInvalid from exc


_stamp_last: tuple[int, str] = (0, "")


def form_stamp_make() -> str:
    """A signed "this form was rendered at" time, checked against the minimum fill time.

    The time is the whole second, signed once per second and process: every page carries the form, and a
    stamp up to a second early only ever errs towards letting a person in (as a cached page's older stamp does).
    """
    global _stamp_last
    second = int(time.time())
    if _stamp_last[0] != second:
        _stamp_last = (second, signing.dumps(second, salt=FORM_STAMP_SALT))
    return _stamp_last[1]


def form_stamp_age_seconds(value: str) -> float | None:
    """Seconds since the form was rendered, or None when the stamp is missing or forged."""
    try:
        rendered_at = signing.loads(value, salt=FORM_STAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(rendered_at, float | int):
        return None
    return time.time() - rendered_at


def new_preview_token() -> str:
    """A subscriber-shaped token that belongs to nobody, for test sends and previews."""
    return "preview-" + secrets.token_urlsafe(16)
