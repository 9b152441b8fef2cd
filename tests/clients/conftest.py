from tests.bookings.conftest import booking, front_desk, monday_morning  # noqa: F401 - shared scenes
