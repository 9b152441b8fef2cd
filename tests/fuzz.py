"""Hostile input for the property-based tests: strategies, request helpers and the checks every response must pass.

Requests are built from raw bytes (percent-encoded query strings and bodies), so the tests can send
what a browser never would: invalid UTF-8, encoded surrogates, NUL bytes, wrong content types.

Bounded for CI: ``FUZZ_EXAMPLES`` examples per test (25 by default, derandomized so CI is
repeatable). For a longer hunt: ``FUZZ_EXAMPLES=2000 pytest tests -k fuzz`` (random seeds).
"""

import os
from collections import Counter
from urllib.parse import quote_from_bytes

from django.core.cache import cache
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Inputs tried per test, printed at the end of the session (tests/conftest.py).
TRIED: Counter = Counter()

# Markup that must never come back unescaped in an HTML page.
SCRIPT_PAYLOADS = [
    "<script>alert('fuzz')</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(3)">x</a>',
    "<iframe srcdoc='<script>alert(4)</script>'>",
]
HOSTILE_STRINGS = [
    *SCRIPT_PAYLOADS,
    "' OR '1'='1' --",
    "1; DROP TABLE bookings_appointment; --",
    '" UNION SELECT password FROM auth_user --',
    "%00",
    "\x00",
    "nul\x00byte",
    "../../../../etc/passwd",
    "..%2f..%2f",
    "%2e%2e/",
    "\u202egnp.exe",
    "e\u0301\u0301\u0301",
    "😀" * 50,
    "ß" * 3,
    "İ",
    "\ufeff",
    "\r\nSet-Cookie: x=1",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${7*7}",
    "any",
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "2026-03-05T25:00Z",
    "2026-03-05T15:00+99:00",
    "2026-03-05T15:00",
    "2026-03",
    "2026-3",
    "+002026-03-05",
]


def surrogate_text() -> st.SearchStrategy[str]:
    """Text that may hold lone surrogates, which no valid UTF-8 can carry."""
    return st.text(st.characters(codec=None, categories=["Cs", "L", "N", "P", "S", "Cc"]), max_size=40)


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_STRINGS),
        st.text(max_size=60),
        surrogate_text(),
        st.builds(
            lambda a, b, c: a + b + c, st.text(max_size=10), st.sampled_from(HOSTILE_STRINGS), st.text(max_size=10)
        ),
        st.integers(min_value=300, max_value=30_000).map(lambda n: "A" * n),  # oversized
    )


def encoded(value: str | bytes) -> str:
    """Percent-encode a value byte for byte; lone surrogates become their (invalid) UTF-8 bytes."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw, safe="")


def hostile_value() -> st.SearchStrategy[str | bytes]:
    return st.one_of(hostile_text(), st.binary(max_size=40))


def query(params: dict) -> str:
    return "&".join(f"{encoded(key)}={encoded(value)}" for key, value in params.items())


def hostile_params(keys: list[str]) -> st.SearchStrategy[dict]:
    """Some of ``keys`` (and sometimes an unknown one), each with a hostile value."""
    known = st.dictionaries(st.sampled_from(keys), hostile_value(), max_size=len(keys))
    stranger = st.dictionaries(hostile_text(), hostile_value(), max_size=2)
    return st.builds(lambda a, b: {**b, **a}, known, stranger)


CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=nonsense-42",
    "multipart/form-data; boundary=fuzz",
    "multipart/form-data",
    "application/json",
    "text/plain",
]


def raw_get(client, path: str, params: dict, **headers):
    cache.clear()  # each input meets the view's logic, not just the rate limit
    return client.generic("GET", path, QUERY_STRING=query(params), **headers)


def raw_post(
    client, path: str, params: dict, *, content_type: str = CONTENT_TYPES[0], body: bytes | None = None, **headers
):
    cache.clear()
    data = body if body is not None else query(params).encode("ascii")
    return client.generic("POST", path, data, content_type=content_type, **headers)


def texts_sent(params: dict) -> list[str]:
    out = []
    for key, value in params.items():
        for item in (key, value):
            if isinstance(item, str):
                out.append(item)
    return out


def assert_safe(response, sent: list[str] | None = None) -> None:
    """Never a 500; HTML never echoes injected markup unescaped; JSON stays JSON."""
    assert response.status_code < 500, f"{response.status_code} for {getattr(response, 'request', '')}"
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace") if not getattr(response, "streaming", False) else ""
    if content_type.startswith("text/html"):
        for text in sent or []:
            for payload in SCRIPT_PAYLOADS:
                if payload in text:
                    assert payload not in body, f"unescaped {payload!r} in the page"
        assert "Traceback" not in body


def row_counts(*models) -> dict:
    return {model.__name__: model.objects.count() for model in models}


def token_variants(real: str):
    """Hostile tokens, and the real one bent: truncated, extended, one character changed, re-signed by hand."""
    return st.one_of(
        hostile_text().filter(bool),
        st.binary(min_size=1, max_size=60),
        st.integers(min_value=0, max_value=len(real) - 1).map(
            lambda i: real[:i] + ("A" if real[i] != "A" else "B") + real[i + 1 :]
        ),
        st.integers(min_value=1, max_value=len(real) - 1).map(lambda i: real[:i]),
        st.text(max_size=20).map(lambda tail: real + tail).filter(lambda t: t != real),
        st.just(real.split(":")[0] + ":forged-signature"),
    )
