from django.apps import AppConfig

from core import pagecache


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self):
        # Therapist pages show the therapist's articles too.
        pagecache.cacheable(
            "bookings:therapist_list", "bookings:therapist_detail", timeout=300, depends_on=("bookings", "blog")
        )
        # Availability changes with the clock (the notice window moves on): 30 seconds, as the API's max-age.
        pagecache.cacheable(
            "bookings:start", timeout=30, depends_on=("bookings",), params={"service", "therapist", "month", "date"}
        )
        pagecache.cacheable(
            "bookings:api_availability",
            timeout=30,
            depends_on=("bookings",),
            params={"service", "therapist", "start", "end"},
        )
