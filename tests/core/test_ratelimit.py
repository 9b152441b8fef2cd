from core.ratelimit import rate_limit_exceeded


def test_requests_over_the_limit_are_refused_per_ip(rf):
    first_ip = rf.post("/", REMOTE_ADDR="203.0.113.5")
    other_ip = rf.post("/", REMOTE_ADDR="198.51.100.7")
    results = [rate_limit_exceeded(first_ip, scope="test", limit=3, period_seconds=60) for _ in range(4)]
    assert results == [False, False, False, True]
    assert rate_limit_exceeded(other_ip, scope="test", limit=3, period_seconds=60) is False


def test_scopes_are_counted_separately(rf):
    request = rf.post("/", REMOTE_ADDR="203.0.113.5")
    for _ in range(3):
        rate_limit_exceeded(request, scope="one", limit=3, period_seconds=60)
    assert rate_limit_exceeded(request, scope="two", limit=3, period_seconds=60) is False
