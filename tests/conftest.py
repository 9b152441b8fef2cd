import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "concurrency" in item.path.name:
            # A race test opens up to fifty connections at once. Two of them on two xdist workers at the
            # same moment would pass PostgreSQL's 100 connections, so with --dist loadgroup (.ci/test)
            # they all run on one worker, one after another.
            item.add_marker(pytest.mark.xdist_group("many connections"))


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache, so rate limits and cached pages never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rate_limit(settings):
    """Set one scope's limit for a test: ``rate_limit("bookings:book", 10)`` keeps the table's window."""

    def set_limit(scope: str, limit: int, period_seconds: int | None = None) -> None:
        period_seconds = period_seconds or settings.RATE_LIMITS.get(scope, (0, 60))[1]
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: (limit, period_seconds)}

    return set_limit


def pytest_terminal_summary(terminalreporter):
    """Print how many hostile inputs the fuzz tests sent, for the closing note."""
    from .fuzz import FUZZ_EXAMPLES, TRIED

    if TRIED:
        terminalreporter.write_sep("-", "fuzz inputs tried")
        for name, count in sorted(TRIED.items()):
            terminalreporter.write_line(f"{count:>7}  {name}")
        terminalreporter.write_line(
            f"{sum(TRIED.values()):>7}  in total over {len(TRIED)} properties (FUZZ_EXAMPLES={FUZZ_EXAMPLES} per test)"
        )
