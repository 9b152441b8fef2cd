"""Requests Django refuses as suspicious answer 400 and leave one log line, not a traceback."""

import io
import logging

import pytest

from core.logging import WithoutTraceback


@pytest.fixture
def security_log():
    handlers = logging.getLogger("django.security").handlers
    (handler,) = [h for h in handlers if any(isinstance(f, WithoutTraceback) for f in h.filters)]
    stream, handler.stream = handler.stream, io.StringIO()
    yield handler.stream
    handler.stream = stream


@pytest.mark.django_db
def test_a_post_with_too_many_fields_gets_a_400_page_and_one_log_line(client, security_log):
    response = client.post("/newsletter/subscribe/", {f"field{n}": "x" for n in range(1500)})
    assert response.status_code == 400
    assert "<html" in response.content.decode()
    lines = security_log.getvalue().splitlines()
    assert lines == ["The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."]
