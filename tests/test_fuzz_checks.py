"""The fuzz suite's own checks must be able to fail, or a green run proves nothing."""

import pytest
from django.http import HttpResponse, JsonResponse

from tests.fuzz import SCRIPT_PAYLOADS, assert_safe, encoded


def test_an_unescaped_payload_in_a_page_fails_the_check():
    payload = SCRIPT_PAYLOADS[0]
    with pytest.raises(AssertionError, match="unescaped"):
        assert_safe(HttpResponse(f"<p>Results for {payload}</p>"), [f"x{payload}y"])


def test_an_escaped_payload_in_a_page_passes():
    assert_safe(
        HttpResponse("<p>Results for &lt;script&gt;alert(&#x27;fuzz&#x27;)&lt;/script&gt;</p>"), [SCRIPT_PAYLOADS[0]]
    )


def test_a_server_error_fails_the_check():
    with pytest.raises(AssertionError):
        assert_safe(HttpResponse("oops", status=500))


def test_the_payload_may_come_back_inside_json_which_browsers_do_not_run():
    assert_safe(JsonResponse({"error": SCRIPT_PAYLOADS[0]}, status=400), [SCRIPT_PAYLOADS[0]])


def test_lone_surrogates_and_nul_are_sent_as_their_raw_bytes():
    assert encoded("\ud800\x00é") == "%ED%A0%80%00%C3%A9"
