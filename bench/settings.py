"""Benchmark settings: production settings over plain HTTP on loopback, plus the floor view."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .base import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Each simulated client sends its own X-Forwarded-For, so per-IP rate limits behave as with many
# real visitors behind the reverse proxy (the limits themselves are the production ones).
MIDDLEWARE = ["bench.middleware.forwarded_client_address", *MIDDLEWARE]  # noqa: F405
