"""Settings for PR/FAQ studio, read from the environment.

Zero configuration in development (SQLite under ``var/``, DEBUG on); in
production every secret comes from the environment and a missing or malformed
value stops start-up with a one-line explanation.
"""

import os
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SUPPORTED_DATABASES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")
DATABASE_URL_HELP = "use sqlite:///path/to/file.sqlite3 or postgres://user:password@host:port/name"


def database_from_env(default_url: str) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        VAR_DIR.mkdir(exist_ok=True)  # the default SQLite file lives here; git ignores it
        url = default_url
    conn_max_age = env_int("CONN_MAX_AGE", 0)
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age)
    except Exception as exc:  # dj-database-url raises bare ValueErrors and KeyErrors
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL this app understands ({exc}); {DATABASE_URL_HELP}."
        ) from None
    if config.get("ENGINE") not in SUPPORTED_DATABASES:
        raise ImproperlyConfigured(
            f"DATABASE_URL names a database this app does not run on; {DATABASE_URL_HELP}."
        )
    if config["ENGINE"] == "django.db.backends.postgresql" and not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (add /name at the end).")
    if config["ENGINE"] == "django.db.backends.sqlite3" and config.get("NAME") in ("", ":memory:"):
        raise ImproperlyConfigured(
            "DATABASE_URL names an in-memory SQLite database, which loses everything on "
            "restart; give a file, e.g. sqlite:///var/prfaq.sqlite3."
        )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server, and a query run five times on a connection
        # prepared (Django turns psycopg's preparing off unless told), so PostgreSQL stops
        # planning the same queries on every request. Off behind a pooler that cannot keep
        # prepared statements (PgBouncer in transaction mode before 1.21).
        server_side = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
        options = config.setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", server_side)
        options.setdefault("prepare_threshold", 5 if server_side else None)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Writers take the lock up front, so concurrent saves queue instead of failing;
        # they queue in the kernel, not in SQLite's sleeping busy handler (prfaq.sqlite3).
        config["ENGINE"] = "prfaq.sqlite3"
        config.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL;",
            }
        )
        # Django's own default, said outright: pytest-django leaves an in-memory test
        # database alone in parallel runs, which it cannot tell from the engine's name.
        config["TEST"] = {"NAME": ":memory:"}
    return config


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: with DEBUG off, set SECRET_KEY to a long random string."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "prfaq",
    "reviews",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tasks_db",
    "axes",
    # After axes: its sign-in receivers run first and mark a locked-out request.
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Outside CSRF and the views, so it sees every refusal once the view's transaction ended.
    "audit.middleware.AuditRefusalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prfaq.urls"
WSGI_APPLICATION = "prfaq.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prfaq.context_processors.chrome",
                "reviews.context_processors.inbox",
                "prfaq.context_processors.csrf_for_page_cache",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'prfaq.sqlite3'}")}

# Rendered fragments (a revision's text with its highlights, empty forms) under keys that
# name what they were made from, so an entry is never stale, only unused: each worker
# process keeps its own, bounded, and needs no invalidation across workers or servers.
# Nothing that changes under the same key (sessions, counts) is cached here.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 1000)},
    },
    # Each comment's HTML, per version (reviews.templatetags.discussion).
    "comments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "comments",
        "OPTIONS": {"MAX_ENTRIES": env_int("COMMENT_CACHE_MAX_ENTRIES", 2000)},
    },
    # Whole pages per person, under keys that move with every change (prfaq.pagecache);
    # fewer entries, as a page is up to 512 kB. PAGE_CACHE=0 renders every request.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_MAX_ENTRIES", 200)},
    },
}
PAGE_CACHE = env_bool("PAGE_CACHE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A full PR/FAQ posts every section at once; leave room for long FAQs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

AUTH_USER_MODEL = "prfaq.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "reviews.backends.UserBackend",
    # Sessions started before UserBackend name this one; they stay signed in.
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling: 5 failures for one username from one address lock that pair for
# 15 minutes; the real user can still sign in from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind TRUSTED_PROXY_COUNT reverse proxies, the client's address comes from
# X-Forwarded-For; without one, only the connection's address counts (a header could lie).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "prfaq:dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"TIME_ZONE {TIME_ZONE!r} is not a time zone name like Europe/Paris."
    )
# English only: Django's translation machinery off ("it'll save you some overhead", as its
# settings reference says): 4% of the instructions of a reply catching up fifteen comments,
# each with its "3 minutes ago".
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evaluated at import: development and tests serve static files straight from static/.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Notifications are sent by a worker (manage.py db_worker), never in the request.
TASKS = {"default": {"BACKEND": "prfaq.task_backend.DatabaseBackend"}}

# Email: the console in development; SMTP once EMAIL_HOST is set.
_email_host = env_str("EMAIL_HOST", "")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# Where links in e-mails point.
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PR/FAQ studio <prfaq@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# A strict policy: our own scripts (with a nonce) and styles only; user Markdown
# is sanitised as well, this is the second wall.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SESSION_ENGINE = "prfaq.sessions"  # Django's database sessions, read with plain SQL
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "prfaq.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    # Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOG_LEVEL = (env_str("LOG_LEVEL", "WARNING") or "").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The level on the handler too: Django's own loggers (django.request's 4xx warnings)
    # propagate here past the root logger's level.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
