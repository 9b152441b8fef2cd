"""Email backends that misbehave on purpose, for the exactly-once tests."""

from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.locmem import EmailBackend


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the sender catches it."""


class CrashBeforeDelivering(EmailBackend):
    """Accepts ``budget`` messages, then the worker dies while handing over the next one."""

    budget: int | None = None

    def send_messages(self, messages):
        if CrashBeforeDelivering.budget is not None:
            if CrashBeforeDelivering.budget <= 0:
                raise WorkerKilled
            CrashBeforeDelivering.budget -= 1
        return super().send_messages(messages)


class CrashAfterDelivering(EmailBackend):
    """Accepts ``budget`` messages, delivers the next one, and the worker dies before we hear back."""

    budget: int | None = None

    def send_messages(self, messages):
        count = super().send_messages(messages)
        if CrashAfterDelivering.budget is not None:
            if CrashAfterDelivering.budget <= 0:
                CrashAfterDelivering.budget = None
                raise WorkerKilled
            CrashAfterDelivering.budget -= 1
        return count


MAILBOX_UNAVAILABLE = (550, b"mailbox unavailable")  # permanent: the outbox gives up at once
TRY_LATER = (451, b"mailbox busy, try again later")  # temporary: the outbox retries with backoff


class RefusesSomeRecipients(EmailBackend):
    """The mail server refuses every address in ``refused`` with ``reply``."""

    refused: set[str] = set()
    reply: tuple[int, bytes] = MAILBOX_UNAVAILABLE

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & RefusesSomeRecipients.refused:
                raise SMTPRecipientsRefused({address: RefusesSomeRecipients.reply for address in message.to})
        return super().send_messages(messages)


class MeetAtFirstSend(EmailBackend):
    """Each worker thread waits at ``barrier`` on its first send, so two workers are mid-send together."""

    barrier = None
    arrived: set[int] = set()

    def send_messages(self, messages):
        import threading

        me = threading.get_ident()
        if MeetAtFirstSend.barrier is not None and me not in MeetAtFirstSend.arrived:
            MeetAtFirstSend.arrived.add(me)
            MeetAtFirstSend.barrier.wait()
        return super().send_messages(messages)
