"""The outbox's one retry rule: which mail failures are worth another try, and how long to wait.

Temporary (retried with backoff, up to ``OUTBOX_MAX_ATTEMPTS`` attempts): the server cannot be
reached or times out, hangs up, answers 4xx (greylisting, a full mailbox, a rate limit), or refuses
our login or sender address — settings staff can fix while the backoff runs. Permanent (given up at
once): a 5xx refusal of every recipient, or of the message itself.
"""

import smtplib
from datetime import timedelta

from django.conf import settings


class MessageNotAccepted(Exception):
    """The mail backend returned without sending the message (a backend that reports failure by count)."""


def _is_5xx(code) -> bool:
    return isinstance(code, int) and 500 <= code < 600


def failure_is_permanent(error: Exception) -> bool:
    """Whether the mail server refused this message for good, so trying again cannot help.

    RFC 5321 §4.2.1: a 5yz reply is a permanent negative completion. smtplib raises
    ``SMTPRecipientsRefused`` only when every recipient was refused; it is permanent only if every
    refusal was a 5yz (one 4yz among them may still go through later).
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [reply[0] for reply in error.recipients.values()]
        return bool(codes) and all(_is_5xx(code) for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return _is_5xx(error.smtp_code)
    return False


def failure_is_about_one_message(error: Exception) -> bool:
    """Whether the failure concerns this message (its recipients, its content) rather than the server.

    Any other failure means the server is unusable for now, so the messages after it in a batch
    would fail the same way.
    """
    return isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError | MessageNotAccepted)


def retry_delay(attempts: int) -> timedelta:
    """The wait after a temporary failure on attempt number ``attempts``: 1, 2, 4, … times the base,
    at most ``OUTBOX_RETRY_MAX_SECONDS``, so a mail server that says "try later" for a day still gets
    its mail within the hour once it takes it again."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(base, settings.OUTBOX_RETRY_MAX_SECONDS))
