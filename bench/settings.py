"""Benchmark settings: production settings over plain HTTP on loopback, plus the floor view."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from clinic.settings.base import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Each simulated client sends its own X-Forwarded-For, as nginx would for many real visitors, so
# per-client rate limits behave as in production (core/clientip.py; the limits are the production ones).
TRUSTED_PROXIES = ["127.0.0.1", "::1"]
