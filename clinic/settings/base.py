"""Settings for every environment, read from the environment once, here.

Development defaults just work (SQLite file, console email, local cache).
With DEBUG off the site refuses to start without a real SECRET_KEY and turns
on every protection ``manage.py check --deploy`` asks for.
"""

import re
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Reverse proxies whose X-Forwarded-For we believe (addresses or networks, e.g. "127.0.0.1,10.0.0.0/8").
# Empty: the app is reached directly and REMOTE_ADDR is the client. See core/clientip.py.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# The clinic itself: shown in the footer, on pages and in every email.
CLINIC_NAME = env.str("CLINIC_NAME", default="Riverside Massage Therapy")
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="214 Elm Street, Suite 3, Somerville, MA 02144")
CLINIC_PHONE = env.str("CLINIC_PHONE", default="(617) 555-0142")
CLINIC_EMAIL = env.str("CLINIC_EMAIL", default="hello@riverside-massage.example")
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/New_York")
# How to find the clinic and where to park: on the booking confirmation, its email and the manage page.
CLINIC_DIRECTIONS = env.str(
    "CLINIC_DIRECTIONS",
    default="Five minutes' walk from Davis Square (Red Line). Our door is left of the bakery; take the stairs "
    "or the lift to the second floor.",
)
CLINIC_PARKING = env.str(
    "CLINIC_PARKING",
    default="Two-hour street parking on Elm Street, and the Grove Street public lot one block away.",
)
# What clients pay and how, on the same pages: nothing is charged online.
CLINIC_PAYMENT_NOTE = env.str("CLINIC_PAYMENT_NOTE", default="Paid at the clinic after your session, by card or cash.")
# How pages and emails name that zone; empty: CLDR's name for it ("Eastern Time — New York"), core/clinictime.py.
CLINIC_TIME_ZONE_NAME = env.str("CLINIC_TIME_ZONE_NAME", default="")

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "clinic.apps.ClinicConfig",
    "clients",
    "bookings",
    "blog",
    "newsletter",
    "desk",
    "waitlist",
    "payments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags for every page, and 304 for a matching If-None-Match.
    "django.middleware.http.ConditionalGetMiddleware",
    # Public pages' Cache-Control, and Django's cache in front of their views (core/httpcache.py).
    "core.httpcache.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.permissions_policy",
    "core.middleware.database_unavailable",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clinic" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
            # {% url %} in every template, with each address reversed once (core/templatetags/cached_urls.py).
            "builtins": ["core.templatetags.cached_urls"],
        },
    },
]
# Widgets render through the templates above, so clinic/templates/admin/widgets/ can give the
# admin's date-and-time fields real labels; "django.forms" supplies the stock widget templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: a SQLite file by default, PostgreSQL in production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Serialise writers up front so concurrent requests queue on the lock
        # instead of failing mid-transaction with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # With this on, the statement that asks to be (a month's busy time, bookings/sweep_reads.py) is prepared
    # once per connection. Off by default: with it on, the PostgreSQL race tests run out of connections.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
# How long a capacity write waits for another transaction's row lock on PostgreSQL (core.locking).
LOCK_TIMEOUT_MS = env.int("LOCK_TIMEOUT_MS", default=5000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def redis_cache(url: str) -> dict:
    """The cache settings for Redis at ``url``.

    When Redis cannot be reached the site degrades instead of failing: a cache read is a miss, a
    write is dropped (and logged), sessions are read from the database (``cached_db``), rate limits
    let requests through, and /healthz reports ``"cache": "unavailable"``. Short socket timeouts
    keep a hung Redis from holding every request.
    """
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            "KEY_PREFIX": "clinic",
        }
    }


# Cache (and so rate limits): Redis when REDIS_URL is set, else in-process.
REDIS_URL = env.str("REDIS_URL", default="")
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if REDIS_URL:
    CACHES = redis_cache(REDIS_URL)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _rate_limit(scope: str, default: tuple[int, int]) -> tuple[int, int]:
    """``default``, or RATE_LIMIT_<SCOPE>=<requests>/<seconds> from the environment (bookings:book → BOOKINGS_BOOK)."""
    name = "RATE_LIMIT_" + re.sub(r"[^A-Z0-9]", "_", scope.upper())
    value = env.str(name, default="")
    if not value:
        return default
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value, flags=re.ASCII)
    if match is None or 0 in (int(match[1]), int(match[2])):
        raise ImproperlyConfigured(
            f"{name} must be <requests>/<seconds> in whole numbers above 0, e.g. 50/60; got {value!r}."
        )
    return int(match[1]), int(match[2])


# Rate limits (core/ratelimit.py): per client address and scope, (requests, window in seconds); the
# request after the last allowed one in a window is answered 429. Sized so that 50 clients behind one
# office NAT can book within a minute, each with a mistake or a "just taken" retry to spare.
RATE_LIMITS = {
    scope: _rate_limit(scope, default)
    for scope, default in {
        # Booking form submissions: a booking made counts 2, one refused 1 (bookings/views/booking.py).
        "bookings:book": (200, 900),
        "bookings:api": (600, 60),  # the availability API the calendar's JavaScript calls
        "bookings:manage_view": (300, 600),  # opening a manage link, real or guessed
        "bookings:manage": (60, 600),  # cancelling or moving through a manage link
        "newsletter:subscribe": (30, 3600),
        "waitlist:offer_view": (300, 600),  # opening an offer's "Take this time" link, real or guessed
        "waitlist:offer_take": (60, 600),  # taking an offer
        "waitlist:join": (30, 3600),  # join form submissions: each made entry sends a confirmation email
        "waitlist:entry_view": (300, 600),  # opening an entry's private link, real or guessed
        "waitlist:entry_change": (60, 600),  # changing or leaving an entry
        "payments:giftcard_lookup": (20, 900),  # a gift card or package code typed in, found or not
        "payments:checkout": (30, 3600),  # starting to buy a package or a gift card online
        # Wrong passwords for one staff username from any number of addresses (per address: axes).
        "staff:login_failures": (20, 3600),
    }.items()
}

# Public pages for anonymous visitors, from Django's cache keyed by app generations (core/httpcache.py).
# On by default in production with Redis: a change must reach every process's cache at once.
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=not DEBUG and bool(REDIS_URL))

# Email: console in development; EMAIL_URL as django-environ parses it.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{CLINIC_NAME} <{CLINIC_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: django-tasks with its database backend and db_worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff login throttling: five wrong passwords for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False
# The client's address behind our reverse proxies (core/clientip.py), for rate limits and axes alike.
AXES_CLIENT_IP_CALLABLE = "core.clientip.axes_client_ip"
# Two-factor sign-in (TOTP with backup codes, django-otp): required in production for superusers and
# for anyone who can read health data (clinic/admin.py), optional for other staff.
OTP_REQUIRED_FOR_SUPERUSERS = env.bool("OTP_REQUIRED_FOR_SUPERUSERS", default=not DEBUG)
# Everyone who can read a client's intake (front desk, therapists with an account) enrols in the browser.
OTP_REQUIRED_FOR_HEALTH_DATA = env.bool("OTP_REQUIRED_FOR_HEALTH_DATA", default=not DEBUG)
OTP_TOTP_ISSUER = CLINIC_NAME

LANGUAGE_CODE = "en-us"
TIME_ZONE = CLINIC_TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "core.staticstorage.StaticFilesStorage"  # whitenoise's, remembering each address
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_traceback": {"()": "core.logging.WithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "console_one_line": {"class": "logging.StreamHandler", "filters": ["without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        # Requests refused as suspicious (too many fields, bad Host) get a 400 and one log line each.
        "django.security": {"handlers": ["console_one_line"], "propagate": False},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: every script and stylesheet from our origin, no inline script.
# Style attributes stay allowed (Bootstrap's JS sets them); <style> elements do not.
# Video players are framed only after a visitor presses play.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


# --- Bookings settings (bookings work adds below this line) ---


# --- end of bookings settings ---


# --- Blog settings (blog work adds below this line) ---


# --- end of blog settings ---


# --- Newsletter settings (newsletter work adds below this line) ---
# Sending: emails per batch task, and the ceiling on messages per minute (batches are spaced to honour it).
# Issues go through the email outbox, so failures follow its retry rule (OUTBOX_* below). A batch must
# finish within half of OUTBOX_LEASE_SECONDS; one that cannot gives back the emails it did not reach.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=50)
NEWSLETTER_RATE_PER_MINUTE = env.int("NEWSLETTER_RATE_PER_MINUTE", default=300)
# Subscribing: confirmation links expire after 7 days; one confirmation email per address per 10 minutes.
NEWSLETTER_CONFIRM_MAX_AGE_SECONDS = 7 * 24 * 3600
NEWSLETTER_CONFIRM_RESEND_SECONDS = 10 * 60
# Bots fill the form faster than people: submissions sooner than this after the page loaded do nothing.
NEWSLETTER_MIN_FILL_SECONDS = env.int("NEWSLETTER_MIN_FILL_SECONDS", default=2)


# --- end of newsletter settings ---


# --- Hardening settings ---
# A slow mail server must not hold a worker forever: SMTP connections give up after this many seconds.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
# Email outbox (core/outbox.py), the one engine for every email the site sends. A temporary failure (no
# connection, a timeout, a 4xx reply) is retried after 1, 2, 4, … minutes, then marked failed after
# OUTBOX_MAX_ATTEMPTS attempts (30, the waits capped at OUTBOX_RETRY_MAX_SECONDS: about a day of trying); a 5xx refusal of the recipient fails at once.
# A worker that dies mid-send leaves its claim for OUTBOX_LEASE_SECONDS; after that the sweeper, run every
# OUTBOX_SWEEP_SECONDS (or, for a newsletter issue, its own batch task), sends it again.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=30)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=600)
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=300)
# Sent emails are deleted from the outbox after this many days (their bodies hold personal data).
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=30)
# Input no database column can hold (NUL characters, out-of-range numbers) gets a 400 page, not a 500.
MIDDLEWARE = [*MIDDLEWARE[:-1], "core.middleware.reject_unreadable_input", MIDDLEWARE[-1]]
# Intake answers are erased this many days after the session ended; the booking itself stays.
INTAKE_RETENTION_DAYS = env.int("INTAKE_RETENTION_DAYS", default=365)
# --- end of hardening settings ---


# --- Payments settings (payments work adds below this line) ---
# Prices and every amount of money are integers in the minor unit of this ISO 4217 currency (cents for USD).
CLINIC_CURRENCY = env.str("CLINIC_CURRENCY", default="USD").upper()
# Stripe: payments are on only when the secret key, the publishable key and the webhook secret are all set
# (core/money.py: payments_enabled). Without them the site takes no money and never mentions it.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Where the Stripe API answers: the real one, or a localstripe server for the demo and the tests.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
# How long a slot is held for a client while they pay, before it is offered to others again.
PAYMENT_HOLD_MINUTES = env.int("PAYMENT_HOLD_MINUTES", default=10)
# Gift cards are sold for amounts from the first to the second (minor units of CLINIC_CURRENCY).
GIFT_CARD_MIN_AMOUNT = env.int("GIFT_CARD_MIN_AMOUNT", default=1_000)
GIFT_CARD_MAX_AMOUNT = env.int("GIFT_CARD_MAX_AMOUNT", default=100_000)
# --- end of payments settings ---
