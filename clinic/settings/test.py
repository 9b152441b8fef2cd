"""Test settings: the base settings with fast hashing, captured mail and tasks run at once."""

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SITE_URL = "https://clinic.test"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrency tests need real WAL and
    # real write locks across connections, as in production.
    # TEST_SQLITE_NAME lets two checkouts (or two runs) on one machine keep apart.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_SQLITE_NAME", default=str(BASE_DIR / ".test-db.sqlite3"))}  # noqa: F405

# Every request closes its connection, as Django's default does: the live server's request threads then
# give theirs back at once, and a race test's fifty connections never meet a pile of idle ones.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Serve static files straight from the apps and packages, as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Login throttling is switched on by the tests that check it (tests/clinic/test_security.py);
# without it, Client.login() works as usual.
AXES_ENABLED = False
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
