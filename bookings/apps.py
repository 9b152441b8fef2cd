from django.apps import AppConfig

from core import httpcache


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self):
        # The home page's and the booking page's lists, and the blog's authors, show these rows.
        httpcache.pages_follow(self.get_model("Service"), self.get_model("Therapist"), apps=("bookings", "blog"))
        # The availability pages and the setting they keep (bookings.selectors.availability_kept) show these.
        httpcache.pages_follow(
            *(self.get_model(name) for name in ("Room", "WorkingHours", "Closure", "BookingPolicy")), apps=("bookings",)
        )
        # Therapist pages show the therapist's articles too.
        httpcache.cacheable(
            "bookings:therapist_list", "bookings:therapist_detail", seconds=300, depends_on=("bookings", "blog")
        )
        # Availability changes with the clock (the notice window moves on): at most 30 seconds late.
        httpcache.cacheable(
            "bookings:start",
            seconds=30,
            depends_on=("bookings",),
            params={"service", "therapist", "month", "date", "fragment"},
        )
        httpcache.cacheable(
            "bookings:api_availability",
            seconds=30,
            depends_on=("bookings",),
            params={"service", "therapist", "start", "end"},
        )
