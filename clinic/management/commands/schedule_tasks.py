from django.core.management.base import BaseCommand
from django.utils import timezone

from core.queue import repeating_task_names, task_enqueue_once


class Command(BaseCommand):
    help = (
        "Queue every self-repeating maintenance task (outbox sweep, reminder catch-up, intake erasure) unless queued."
    )

    def handle(self, *args, **options):
        # Each app marks its own repeating tasks (core.queue.repeating); run this on every deploy, it is idempotent.
        for name in repeating_task_names():
            queued = task_enqueue_once(name, run_after=timezone.now())
            self.stdout.write(f"{name}: {'queued' if queued else 'already queued, or the task backend cannot defer'}")
