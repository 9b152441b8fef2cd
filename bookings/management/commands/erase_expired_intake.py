from django.conf import settings
from django.core.management.base import BaseCommand

from bookings.maintenance import appointment_intake_erase_expired


class Command(BaseCommand):
    help = (
        "Erase the intake answers of sessions that ended more than INTAKE_RETENTION_DAYS ago, keeping the bookings. "
        "The worker does this daily; this command is for cron or a one-off run."
    )

    def handle(self, *args, **options):
        erased = appointment_intake_erase_expired()
        self.stdout.write(
            f"Erased the intake of {erased} appointment(s) older than {settings.INTAKE_RETENTION_DAYS} days."
        )
