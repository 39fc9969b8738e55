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
if DEBUG and not LOCAL:
    raise ImproperlyConfigured(
        "DEBUG shows code and settings to anyone: never set it in production."
    )


def weak_secret_reason(value: str, *, min_length: int) -> str | None:
    """Why a secret is too weak to run in production, or None. Django's own deploy check asks for
    50 characters with at least 5 different ones and no 'django-insecure-' prefix."""
    if len(value) < min_length:
        return f"it has {len(value)} characters; use at least {min_length}"
    if len(set(value)) < 5:
        return "it uses fewer than 5 different characters"
    if value.startswith("django-insecure-") or "insecure" in value or "change-me" in value:
        return "it is a placeholder, not a secret"
    return None


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string) to run Wellbeing Hub in production. "
            "For a local try-out use WELLBEING_ENV=demo (what `make demo` does)."
        )
    SECRET_KEY = "insecure-local-only-key-for-demo-and-tests-never-in-production"  # noqa: S105
elif not LOCAL and (reason := weak_secret_reason(SECRET_KEY, min_length=50)):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak: {reason}. Make one with: python3 -c "
        '"import secrets; print(secrets.token_urlsafe(50))"'
    )

# Rotating SECRET_KEY: put the old key(s) here, comma-separated, until sessions, password-reset
# links and audit-trail digests made with them have aged out.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]

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
# Which area's feedback clocks apply (rules/voice/data/area_clocks.yaml); empty: the statutory defaults.
VOICE_CLOCK_AREA = os.environ.get("VOICE_CLOCK_AREA", "")

# The address people use, for links in emails (which have no page to be relative to). Defaults to
# the first trusted origin, or https:// and the first allowed host.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    CSRF_TRUSTED_ORIGINS[0]
    if CSRF_TRUSTED_ORIGINS
    else (
        "http://127.0.0.1:8000" if LOCAL else f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else ""
    )
)

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
    "outcomes",
    "evidence",
    "voice",
    "connect",
    "sharedlives",
    "befriending",
    *(["django_tasks"] if django.VERSION < (6, 0) else []),
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wellbeing_hub.middleware.RejectMalformedInputMiddleware",
    "wellbeing_hub.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A form sent after the session ended is kept for the same person to send after signing in.
    "accounts.kept_posts.KeepPostAcrossSignInMiddleware",
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
    if not LOCAL and not env_flag("ALLOW_SQLITE_IN_PRODUCTION"):
        raise ImproperlyConfigured(
            "Production needs PostgreSQL: set DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/NAME. "
            "SQLite serialises every write, so it suits one person trying the platform, not a "
            "council's service. To run on SQLite anyway (a very small pilot), set "
            "ALLOW_SQLITE_IN_PRODUCTION=1."
        )
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Wait up to 20 s for a write lock instead of failing at once. Transactions take the
            # write lock when they begin (IMMEDIATE): a transaction that read first and then
            # tried to write could otherwise fail with "database is locked" without waiting.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            # Readers never block the writer and the writer never blocks readers.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
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
elif not LOCAL:
    if reason := weak_secret_reason(BALLOT_SECRET_KEY, min_length=32):
        raise ImproperlyConfigured(f"BALLOT_SECRET_KEY is too weak: {reason}.")
    if BALLOT_SECRET_KEY == SECRET_KEY:
        raise ImproperlyConfigured("BALLOT_SECRET_KEY must differ from SECRET_KEY.")

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
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=False)
    # The reverse proxy terminates HTTPS and says so in this header; it must overwrite any
    # X-Forwarded-Proto the client sent (docs/production.md shows the nginx line).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's health probe may come over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Set ALLOWED_HOSTS to the host name(s) people use, for example "
            "ALLOWED_HOSTS=wellbeing.example-council.gov.uk"
        )
# Preloading HSTS is a one-way request to browser makers, for the area to choose; not a default.
SILENCED_SYSTEM_CHECKS = [] if env_flag("SECURE_HSTS_PRELOAD") else ["security.W021"]

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
# Time-bank API tokens stop working this many days after they are made (members make new ones).
TIMEBANK_API_TOKEN_DAYS = int(os.environ.get("TIMEBANK_API_TOKEN_DAYS", "90"))

# Uploads (ORUK feeds, CSV imports) larger than this are refused with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_IMPORT_BYTES = int(os.environ.get("MAX_IMPORT_BYTES", str(50 * 1024 * 1024)))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
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
# SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or
# EMAIL_USE_SSL) or, for a test of the whole set-up, files in EMAIL_FILE_PATH.
_mail_options: dict[str, object] = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_flag("EMAIL_USE_TLS"),
        "use_ssl": env_flag("EMAIL_USE_SSL"),
        "timeout": 30,
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _mail_options}}
else:  # Django 5.2 on Python 3.11: the same choices as separate settings
    EMAIL_BACKEND = _email_backend
    EMAIL_HOST = str(_mail_options.get("host", "localhost"))
    EMAIL_PORT = int(str(_mail_options.get("port") or 25))
    EMAIL_HOST_USER = str(_mail_options.get("username", ""))
    EMAIL_HOST_PASSWORD = str(_mail_options.get("password", ""))
    EMAIL_USE_TLS = bool(_mail_options.get("use_tls", False))
    EMAIL_USE_SSL = bool(_mail_options.get("use_ssl", False))
    EMAIL_TIMEOUT = 30
    if "file_path" in _mail_options:
        EMAIL_FILE_PATH = str(_mail_options["file_path"])

# Background tasks (email): a queue in the database that `manage.py db_worker` works through, so
# a slow or failing mail server never holds up a page and a message survives a restart. The demo
# and the tests run tasks at once in the web process (TASKS_BACKEND=database to try the worker).
_tasks_backend = os.environ.get("TASKS_BACKEND", "immediate" if LOCAL else "database")
if _tasks_backend not in {"immediate", "database"}:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be immediate or database, not {_tasks_backend!r}."
    )
_tasks_module = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if _tasks_backend == "database"
        else f"{_tasks_module}.backends.immediate.ImmediateBackend",
    }
}
TASKS_IN_DATABASE = _tasks_backend == "database"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@wellbeing-hub.invalid")

# Logs go to standard error, one JSON object a line in production (for the host's log collector),
# plain text locally. LOG_FORMAT=json|text overrides.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if LOCAL else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "wellbeing_hub.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("LOG_LEVEL", "INFO" if not LOCAL else "WARNING"),
    },
    "loggers": {
        # Django logs every 4xx as a warning and every 5xx as an error with its traceback.
        "django.request": {"level": "WARNING"},
        # Each task's start and end: useful in production's logs, noise in the demo's terminal.
        "django.tasks": {"level": "INFO" if not LOCAL else "WARNING"},
    },
}
