"""Email backends that misbehave on purpose, for the outbox tests."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.locmem import EmailBackend


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the sender catches it."""


class MailServer:
    """The state of the pretend mail server, shared by the backends below."""

    down = False
    failures = 0  # sends refused while down: the "failures injected" figure
    crash_before = 0  # the worker dies before handing over this many next messages
    crash_after = 0  # the server accepts this many next messages, then the worker dies before hearing back

    @classmethod
    def reset(cls):
        cls.down = False
        cls.failures = cls.crash_before = cls.crash_after = 0


class FlakyEmailBackend(EmailBackend):
    """Refuses every message while ``MailServer.down``, like a mail server that is unreachable."""

    def send_messages(self, messages):
        if MailServer.crash_before:
            MailServer.crash_before -= 1
            raise WorkerKilled
        if MailServer.down:
            MailServer.failures += 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        count = super().send_messages(messages)
        if MailServer.crash_after:
            MailServer.crash_after -= 1
            raise WorkerKilled
        return count
