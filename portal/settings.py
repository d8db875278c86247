"""Settings for the essay portal, read from the environment.

The embedded default needs no configuration: SQLite and the whoosh index live under
one data directory (``PORTAL_DATA_DIR``, default ``var/``). Production sets
``DATABASE_URL`` (PostgreSQL), ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``;
``DJANGO_DEBUG`` is off unless switched on, and then a secret key is mandatory.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.cache_config import redis_caches
from portal.private_files import private_directory, private_umask

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    """Read a boolean flag (1/true/yes/on) from the environment."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Everything the portal writes is private to its user: files 0600, directories 0700
# (the database holds sessions and password hashes; portal/private_files.py).
private_umask()
DATA_DIR = Path(os.environ.get("PORTAL_DATA_DIR") or BASE_DIR / "var").resolve()
private_directory(DATA_DIR)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Before haystack: its index commands (rebuild_index, update_index, clear_index) are
    # overridden to go through the configured search backend (search/backends).
    "search",
    "haystack",
    "simple_history",
    "axes",
    "csp",
    "essays",
    # The page cache and the content version (pagecache/), after search: on a commit the
    # index is written before the content gets its new version.
    "pagecache",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (static files included).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole responses for anonymous readers, until the content changes (pagecache/).
    # Right after whitenoise, so a hit skips everything below.
    "pagecache.middleware.PageCacheMiddleware",
    # NUL removed from query strings: PostgreSQL cannot compare strings holding it.
    "portal.input_guard.StripNulMiddleware",
    # A polite 429 for a client that searches too often (portal/ratelimit.py).
    "portal.ratelimit.SearchRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Database or search index unreachable → a Chinese 503, not a 500 (portal/errors.py).
    "portal.errors.ServiceUnavailableMiddleware",
    # Who made a change, for the editors' history (essays, sections, references, topics).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a lockout into the Chinese "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

# Login hardening (django-axes): the first backend refuses a locked-out login before
# the password is hashed (PBKDF2 is slow on purpose), so refused attempts cost a query.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("PORTAL_LOGIN_COOLOFF_HOURS", "0.25"))  # hours
# Failures are counted per address AND per user name, each against the limit: many user
# names from one address lock that address, many addresses guessing one user lock that
# user (an editor locked out this way is let in by `axes_reset_username NAME`).
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# The client address, through the same trusted-proxy rule as the search limit
# (PORTAL_TRUSTED_PROXIES), so behind a proxy readers are not all one address.
AXES_CLIENT_IP_CALLABLE = "portal.ratelimit.client_ip"
AXES_RESET_ON_SUCCESS = True
# Where a login lands when ?next= is missing or refused (an off-site address): the admin
# index, not Django's default /accounts/profile/, which the portal does not have.
LOGIN_REDIRECT_URL = "admin:index"
LOGIN_URL = "admin:login"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Saves while an import runs: in WAL mode readers never wait for a writer, and every
    # transaction asks for the write lock at BEGIN (IMMEDIATE), so a writer that finds
    # the database busy waits up to the busy timeout instead of failing at once with
    # "database is locked" when it upgrades a read lock. A write that still cannot
    # happen in time gives the admin form back with a message (essays/admin/busy.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("PORTAL_SQLITE_BUSY_TIMEOUT", "20")),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same bound on PostgreSQL: a statement waiting for another transaction's lock
    # (a long import, a rebuild clearing the search tables) gives up after this many
    # seconds, inside gunicorn's 30 s timeout, so a save gets the admin's busy message
    # with the editor's input (essays/admin/busy.py) instead of a killed worker.
    _lock_ms = round(float(os.environ.get("PORTAL_PG_LOCK_TIMEOUT", "20")) * 1000)
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c lock_timeout={_lock_ms}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Our own Chinese for what Django's and django-axes' catalogues lack (see locale/).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or DATA_DIR / "staticfiles")
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

# The search engine (search/backends): "whoosh" (default; an index per machine under the
# data directory) or "postgres" (PostgreSQL full-text search in the database itself, for
# several web machines; DATABASE_URL must name PostgreSQL). After switching, run
# ``manage.py rebuild_index_swapped`` once.
PORTAL_SEARCH_BACKEND = os.environ.get("PORTAL_SEARCH_BACKEND", "whoosh").strip() or "whoosh"
if (
    PORTAL_SEARCH_BACKEND == "postgres"
    and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
):
    # Refused at start, not at the first search: its index is tables in that database.
    raise ImproperlyConfigured(
        "PORTAL_SEARCH_BACKEND=postgres needs a PostgreSQL database: set DATABASE_URL to "
        f"postgres://… (the database is {DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
        ", or use PORTAL_SEARCH_BACKEND=whoosh."
    )

# Search: haystack with the whoosh backend, index under the data directory.
# The engine gives text fields the jieba / gram / pinyin analysers and keeps one writer;
# PATH holds index generations and a CURRENT file naming the live one.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.backends.whoosh.haystack.ChineseWhooshEngine",
        "PATH": os.environ.get("PORTAL_INDEX_DIR") or str(DATA_DIR / "whoosh"),
    },
}
# haystack's own signal processor does nothing: search subscribes to the essays app's
# corpus_changed event instead (search/apps.py, search/signals.py).
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
# Processes a full rebuild of the index uses (0: min(2, CPU cores)).
PORTAL_INDEX_PROCESSES = int(os.environ.get("PORTAL_INDEX_PROCESSES", "0"))
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 10

# The largest source document the admin imports from an upload (bytes): previewing and
# importing must finish inside one request (gunicorn's 30 s timeout); the import_essays
# command takes larger ones (up to 20 MB).
PORTAL_UPLOAD_MAX_BYTES = int(os.environ.get("PORTAL_UPLOAD_MAX_BYTES", str(256 * 1024)))

# --- Search index reliability (search/outbox.py, search/backends/whoosh/integrity.py,
# portal/health.py) ---
# /healthz fails once a change has waited this many seconds to reach the search index.
PORTAL_REINDEX_MAX_DELAY = float(os.environ.get("PORTAL_REINDEX_MAX_DELAY", "120"))
# First background retry of a failed index write, in seconds (doubling, at most 300); 0: off.
PORTAL_REINDEX_RETRY_SECONDS = float(os.environ.get("PORTAL_REINDEX_RETRY_SECONDS", "5"))
# /healthz re-reads an unchanged index file to verify its checksum after this many seconds.
PORTAL_INDEX_VERIFY_SECONDS = float(os.environ.get("PORTAL_INDEX_VERIFY_SECONDS", "3600"))
# --- end of search index reliability ---

# Where jieba keeps its dictionary cache: a path the portal owns, not /tmp.
JIEBA_CACHE_FILE = DATA_DIR / "jieba.cache"

SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS (production): redirect http to https and send HSTS. Both default to on when
# DEBUG is off; scripts/serve switches them off because it serves plain http locally.
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_flag("DJANGO_SECURE_HSTS_PRELOAD")
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (opt-in: only when the proxy
# always sets or strips the header, or clients could claim https).
if env_flag("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain http by the load balancer on the local network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from the site
# only; no inline script or style anywhere, the admin included; no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Searches per client (address) per window; 0 switches the limit off. See
# portal/ratelimit.py: with the default local-memory cache each worker counts alone.
PORTAL_SEARCH_RATE_LIMIT = int(os.environ.get("PORTAL_SEARCH_RATE_LIMIT", "60"))
PORTAL_SEARCH_RATE_WINDOW = int(os.environ.get("PORTAL_SEARCH_RATE_WINDOW", "60"))  # seconds
PORTAL_TRUSTED_PROXIES = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal",
    },
    # Rendered pages for anonymous readers (pagecache/middleware.py), per worker; a settings
    # module may point this alias at a shared cache. Entries are keyed by the content
    # version, so they never need deleting: the timeout only bounds staleness after a
    # change made behind the portal's back (raw SQL), MAX_ENTRIES the memory (at most
    # MAX_ENTRIES × PORTAL_PAGE_CACHE_MAX_BYTES; essay pages are typically 20-100 KB).
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal-pages",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PORTAL_PAGE_CACHE_ENTRIES", "1000"))},
    },
}
# Several web machines: PORTAL_CACHE_URL (redis://host:port/db) puts both caches in one
# Redis every machine shares (Django's own Redis backend), so the page cache, the content
# version (pagecache/content_version.py) and the search rate limit are the same on every
# machine. Short socket timeouts: a Redis outage degrades to live pages and no rate limit
# (portal/shared_cache.py), it never hangs a request.
PORTAL_CACHE_URL = os.environ.get("PORTAL_CACHE_URL", "").strip()
if PORTAL_CACHE_URL:
    if not PORTAL_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "PORTAL_CACHE_URL must be a Redis URL (redis://, rediss:// or unix://), "
            f"not {PORTAL_CACHE_URL!r}."
        )
    CACHES = redis_caches(PORTAL_CACHE_URL)
# The page cache: on unless PORTAL_PAGE_CACHE=0; responses larger than this are not kept.
PORTAL_PAGE_CACHE = env_flag("PORTAL_PAGE_CACHE", default=True)
PORTAL_PAGE_CACHE_MAX_BYTES = int(os.environ.get("PORTAL_PAGE_CACHE_MAX_BYTES", str(1024 * 1024)))
# Views the portal routes but cannot decorate with @cacheable_page, by URL name.
PORTAL_PAGE_CACHE_VIEWS = ["essays:sitemap"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
