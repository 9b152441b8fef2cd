import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache, so rate limits and cached pages never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
