"""Send one issue to 100,000 subscribers in a throwaway database and print throughput and memory.

    .venv/bin/python bench/newsletter_send.py [--subscribers 100000] [--batch-size 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_newsletter .venv/bin/python bench/newsletter_send.py

The worker loop is the real one: issue_send_start fixes the audience, then the batch task is run
from the queue until none is left, as db_worker would (run_after ignored: we measure the sender,
not the rate limit). Mail goes to a backend that builds each message's bytes and throws them away.
Peak RSS (getrusage) is printed at 10k, 50k and 100k messages: if subscribers were read all at
once it would climb with the count; it should stay flat once the first batch has run.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")

import django  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402


class SerialisingNullBackend(BaseEmailBackend):
    """Does all the work of sending except the network: renders every message to bytes."""

    bytes_out = 0

    def send_messages(self, messages):
        for message in messages:
            SerialisingNullBackend.bytes_out += len(message.message().as_bytes())
        return len(messages)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NEWSLETTER_BATCH_SIZE = args.batch_size
    settings.LOGGING_CONFIG = None
    database = settings.DATABASES["default"]
    tmp = tempfile.TemporaryDirectory()
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"] = {"NAME": str(Path(tmp.name) / "bench.sqlite3")}
    else:
        database["TEST"] = {"NAME": f"bench_{database['NAME']}"}
    django.setup()

    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from django_tasks import default_task_backend

    from newsletter.models import Delivery, Issue, Subscriber
    from newsletter.sending import issue_send_start

    setup_test_environment()
    settings.EMAIL_BACKEND = "__main__.SerialisingNullBackend"  # after setup_test_environment, which sets locmem
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}), batch size {args.batch_size}")
        started = time.perf_counter()
        now = timezone.now()
        page = 5000
        for first in range(0, args.subscribers, page):
            Subscriber.objects.bulk_create(
                [
                    Subscriber(
                        email=f"reader{n}@example.com",
                        status=Subscriber.Status.CONFIRMED,
                        token=f"bench-token-{n:07d}",
                        consented_at=now,
                        confirmed_at=now,
                        consent_text="bench",
                    )
                    for n in range(first, min(first + page, args.subscribers))
                ]
            )
        print(f"created {args.subscribers:,} subscribers in {time.perf_counter() - started:.1f}s")

        issue = Issue.objects.create(
            subject="Bench issue", body_markdown="Hello **everyone**.\n\n" + "A paragraph of news. " * 60
        )
        started = time.perf_counter()
        audience = issue_send_start(issue=issue)
        print(
            f"audience fixed: {audience:,} deliveries in {time.perf_counter() - started:.1f}s, peak RSS {peak_rss_mb():.0f} MB"
        )

        checkpoints = [c for c in (10_000, 50_000, 100_000) if c <= args.subscribers] or [args.subscribers]
        sent = 0
        segment_start, segment_sent = time.perf_counter(), 0
        loop_start = segment_start
        while default_task_backend.results:
            result = default_task_backend.results.pop(0)
            outcome = result.task.call(*result.args, **result.kwargs)
            sent += outcome["sent"]
            if checkpoints and sent >= checkpoints[0]:
                elapsed = time.perf_counter() - segment_start
                rate = (sent - segment_sent) / elapsed
                print(f"{sent:>7,} sent: {rate:,.0f} messages/s since last mark, peak RSS {peak_rss_mb():.0f} MB")
                checkpoints.pop(0)
                segment_start, segment_sent = time.perf_counter(), sent
        total = time.perf_counter() - loop_start
        issue.refresh_from_db()
        print(
            f"done: {sent:,} messages in {total:.1f}s = {sent / total:,.0f} messages/s overall; "
            f"{SerialisingNullBackend.bytes_out / sent / 1024:.1f} KiB per message; issue {issue.status}; "
            f"pending {Delivery.objects.filter(status=Delivery.Status.PENDING).count()}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


if __name__ == "__main__":
    main()
