import pytest
from django.core.exceptions import ImproperlyConfigured

from core.ratelimit import rate_limit_exceeded


@pytest.fixture(autouse=True)
def _limits(rate_limit):
    for scope in ("test", "one", "two"):
        rate_limit(scope, 3, 60)


def test_requests_over_the_limit_are_refused_per_ip(rf):
    first_ip = rf.post("/", REMOTE_ADDR="203.0.113.5")
    other_ip = rf.post("/", REMOTE_ADDR="198.51.100.7")
    results = [rate_limit_exceeded(first_ip, scope="test") for _ in range(4)]
    assert results == [False, False, False, True]
    assert rate_limit_exceeded(other_ip, scope="test") is False


def test_scopes_are_counted_separately(rf):
    request = rf.post("/", REMOTE_ADDR="203.0.113.5")
    for _ in range(3):
        rate_limit_exceeded(request, scope="one")
    assert rate_limit_exceeded(request, scope="two") is False


def test_a_scope_missing_from_the_table_is_refused_rather_than_left_unlimited(rf):
    with pytest.raises(ImproperlyConfigured, match="'bookings:typo'"):
        rate_limit_exceeded(rf.post("/"), scope="bookings:typo")
