from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.httpcache import PUBLIC_VIEWS, pages_changed

# Each app seeds its own demo content, in this order (later apps refer to earlier ones). The payment rules come
# before any booking, so that the bookings' emails state the terms the demo clinic has.
DEMO_MODULES = [
    "bookings.demo",
    "payments.demo",
    "bookings.demo_bookings",
    "blog.demo",
    "newsletter.demo",
    "desk.demo",
    "waitlist.demo",
]


class Command(BaseCommand):
    help = "Create the demo clinic: therapists, services, rooms, hours, articles and subscribers. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off. Demo content does not belong on a real site.",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo refuses to run with DEBUG off (pass --allow-production to insist).")
        with transaction.atomic():
            for module_name in DEMO_MODULES:
                module = import_module(module_name)
                module.seed(stdout=self.stdout)
            # Whatever a shared cache (Redis) kept from an earlier seed is forgotten: pages and cached lists.
            pages_changed(*sorted({label for view in PUBLIC_VIEWS.values() for label in view.depends_on}))
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
