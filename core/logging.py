"""Log filters for the site's LOGGING setting."""

import logging


class WithoutTraceback(logging.Filter):
    """Keep a record's message and drop its traceback.

    For ``django.security``: a request with too many form fields, a bad Host header or a forged
    session is the visitor's doing and already answered with a 400; one line says what happened,
    a traceback through Django's request handling says nothing more and buries real errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
