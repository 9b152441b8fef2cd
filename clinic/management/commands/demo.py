import os
import signal
import subprocess
import sys
import time
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from bookings.demo import OWNER_USERNAME, STAFF_PASSWORD, STAFF_USERNAME
from payments.demo import DEMO_KEYS, webhook_register
from payments.fakestripe import localstripe_start


def welcome(addrport: str) -> str:
    """Where the site is and the staff logins to try it with."""
    return (
        f"\nThe clinic site: http://{addrport}/\n"
        f"Front desk:      http://{addrport}/staff/  (today's grid, a busy day booked; the logins below)\n"
        f"Staff admin:     http://{addrport}/admin/\n"
        f"  front desk:    user {STAFF_USERNAME!r}, password {STAFF_PASSWORD!r} (schedule, bookings, blog)\n"
        f"  clinic owner:  user {OWNER_USERNAME!r}, password {STAFF_PASSWORD!r} "
        "(also therapists, services, rooms, staff accounts)\n"
        "  Both read clients' health data: with DEBUG off they sign in with an authenticator app too.\n"
        "Payments run against localstripe on this machine: pay with the test card 4242 4242 4242 4242\n"
        "  (4000 0000 0000 0002 is declined, 4000 0025 0000 3155 asks for 3-D Secure).\n"
        "Emails are printed here. Press Ctrl-C to stop the site and the worker.\n"
    )


class Command(BaseCommand):
    help = (
        "Migrate, load the demo content, then run the site at http://127.0.0.1:8000 "
        "with the background worker beside it. Ctrl-C stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        # Links in emails (manage, receipt, offer) point at the address this demo serves, not the default port.
        env = dict(os.environ)
        env.setdefault("SITE_URL", f"http://{addrport}")
        # Payments on, against a localstripe of the demo's own (unless real keys are set), before the seed: the
        # seeded bookings' emails then state the payment terms the site will run with.
        localstripe = None
        if not env.get("STRIPE_SECRET_KEY"):
            localstripe = localstripe_start()
            env.update(DEMO_KEYS, STRIPE_API_BASE=localstripe.api_base)
            webhook_register(api_base=localstripe.api_base, site_url=f"http://{addrport}")
        seeding = {key: env[key] for key in (*DEMO_KEYS, "STRIPE_API_BASE") if env.get(key)}
        with override_settings(SITE_URL=env["SITE_URL"].rstrip("/"), **seeding):
            call_command("migrate", interactive=False, verbosity=0)
            call_command("seed_demo")
        # The worker below runs the outbox sweep, reminder catch-up and daily intake erasure from here on.
        call_command("schedule_tasks", stdout=StringIO())
        self.stdout.write(self.style.SUCCESS(welcome(addrport)))
        python = sys.executable
        children = [
            subprocess.Popen([python, "manage.py", "runserver", addrport, "--noreload"], env=env),
            subprocess.Popen([python, "manage.py", "db_worker", "--interval", "1"], env=env),
        ]
        stop = False

        def request_stop(signum, frame):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            while not stop and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            if localstripe is not None:
                localstripe.stop()
        self.stdout.write("Stopped the site and the worker.")
