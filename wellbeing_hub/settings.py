"""Settings for Wellbeing Hub, read from environment variables with safe production defaults.

WELLBEING_ENV chooses the mode: ``production`` (the default), ``demo`` (local try-out on SQLite) or
``test``. Outside demo and test a SECRET_KEY must be given and cookies are secure.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("WELLBEING_ENV", "production")
if ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"WELLBEING_ENV must be production, demo or test, not {ENV!r}.")
LOCAL = ENV in {"demo", "test"}


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string) to run Wellbeing Hub in production. "
            "For a local try-out use WELLBEING_ENV=demo (what `make demo` does)."
        )
    SECRET_KEY = "insecure-local-only-key-for-demo-and-tests-never-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost" if LOCAL else "").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# The area this deployment serves: its name is in the header of every page.
AREA_NAME = os.environ.get("WELLBEING_AREA_NAME", "Wellbeing Hub")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "wellbeing_hub",
    "accounts",
    "directory",
    "budgets",
    "timebank",
    "participation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wellbeing_hub.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wellbeing_hub.urls"
WSGI_APPLICATION = "wellbeing_hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wellbeing_hub.context_processors.site",
            ],
        },
    },
]

DEFAULT_SQLITE = f"sqlite:///{BASE_DIR / 'var' / 'wellbeing-hub.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a write lock instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Tests create many users: a fast hasher there only; every other mode uses Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling: this many failures for one username locks that account for a while; one
# address (many people may share it behind a proxy or in a library) gets a softer, higher limit.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))

# The client's address behind a reverse proxy. CLIENT_IP_HEADER names the header the proxy sets
# (for example X-Forwarded-For); TRUSTED_PROXY_COUNT is how many proxies append to it, so the
# address that many places from the right is the one our own proxy saw. Without the header,
# REMOTE_ADDR is used (right when nothing sits in front of the application server).
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip()
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))

# Secret ballots: the key that turns a voter into an opaque token lives outside the database, so a
# database dump alone cannot link a voter to a ballot.
BALLOT_SECRET_KEY = os.environ.get("BALLOT_SECRET_KEY", "")
if not BALLOT_SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "Set BALLOT_SECRET_KEY (a long random string, different from SECRET_KEY and kept out "
            "of database backups) to run Wellbeing Hub in production."
        )
    BALLOT_SECRET_KEY = "insecure-local-only-ballot-key"  # noqa: S105

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache"
        if not LOCAL
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "wellbeing_hub_cache",
    }
}

# Sessions end after 30 minutes without activity, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_flag("SECURE_COOKIES", default=not LOCAL)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not LOCAL:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: only this site's own scripts, styles, fonts and images; no inline script.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

# Time bank: credit given on joining (from the time bank's own account) and the lowest balance a
# member may reach, so a family in crisis can receive help before giving any. Whole minutes.
TIMEBANK_JOINING_CREDIT_MINUTES = int(os.environ.get("TIMEBANK_JOINING_CREDIT_MINUTES", "300"))
TIMEBANK_DEBIT_LIMIT_MINUTES = int(os.environ.get("TIMEBANK_DEBIT_LIMIT_MINUTES", "-600"))

# Uploads (ORUK feeds, CSV imports) larger than this are refused with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_IMPORT_BYTES = int(os.environ.get("MAX_IMPORT_BYTES", str(50 * 1024 * 1024)))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # GOV.UK Frontend comes from its pinned npm package, installed by `make` (never copied into git).
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
WHITENOISE_USE_FINDERS = LOCAL
if LOCAL:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not LOCAL
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

_email_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if ENV == "demo"
    else "django.core.mail.backends.smtp.EmailBackend",
)
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": _email_backend}}
else:  # Django 5.2 on Python 3.11
    EMAIL_BACKEND = _email_backend
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@wellbeing-hub.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
