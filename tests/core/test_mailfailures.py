"""The one retry rule: a 5xx refusal of the recipients or the message is final, everything else is retried."""

import smtplib

import pytest

from core.mailfailures import MessageNotAccepted, failure_is_about_one_message, failure_is_permanent


def refused(*codes: int) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({f"r{n}@example.com": (code, b"no") for n, code in enumerate(codes)})


@pytest.mark.parametrize(
    "error",
    [refused(550), refused(551, 553), smtplib.SMTPDataError(554, b"message rejected")],
    ids=["mailbox unavailable", "every recipient 5xx", "message rejected"],
)
def test_a_5xx_refusal_of_the_recipients_or_the_message_is_permanent(error):
    assert failure_is_permanent(error)
    assert failure_is_about_one_message(error)


@pytest.mark.parametrize(
    "error",
    [
        refused(450),
        refused(550, 451),
        smtplib.SMTPDataError(451, b"try again later"),
        MessageNotAccepted("nothing sent"),
    ],
    ids=["greylisted", "one recipient only busy", "data 4xx", "backend sent nothing"],
)
def test_a_temporary_refusal_of_one_message_is_retried_and_spares_the_rest_of_the_batch(error):
    assert not failure_is_permanent(error)
    assert failure_is_about_one_message(error)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        TimeoutError("timed out"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPConnectError(421, b"too busy"),
        smtplib.SMTPSenderRefused(550, b"sender rejected", "clinic@example.com"),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
    ],
    ids=["refused", "socket timeout", "timeout", "disconnected", "421", "sender refused", "login refused"],
)
def test_a_server_that_cannot_be_used_is_a_temporary_failure_of_the_whole_batch(error):
    assert not failure_is_permanent(error)
    assert not failure_is_about_one_message(error)
