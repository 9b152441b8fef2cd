from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import import_string

from clinic.tasks import task_enqueue_once

# Tasks that queue their own next run; this starts each chain once (run it on every deploy, it is idempotent).
SELF_REPEATING_TASKS = [
    "clinic.tasks.outbox_sweep",
    "bookings.tasks.reminders_catch_up",
    "bookings.tasks.intake_erase_expired",
]


class Command(BaseCommand):
    help = "Queue the self-repeating maintenance tasks (outbox sweep, reminder catch-up, intake erasure) unless queued."

    def handle(self, *args, **options):
        for path in SELF_REPEATING_TASKS:
            queued = task_enqueue_once(import_string(path), run_after=timezone.now())
            self.stdout.write(f"{path}: {'queued' if queued else 'already queued, or the task backend cannot defer'}")
