from django.core.management.base import BaseCommand

from core.mailsending import emails_flush


class Command(BaseCommand):
    help = (
        "Send every due email in the outbox, including ones whose worker died while sending "
        "(newsletter issues excepted: their own batch task keeps the list's pace). "
        "Safe to run from cron every few minutes beside the worker: an email is never sent twice by two runs."
    )

    def handle(self, *args, **options):
        counts = emails_flush()
        self.stdout.write(", ".join(f"{status}: {count}" for status, count in counts.items()))
