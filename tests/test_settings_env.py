"""portal/settings.py reads its configuration from the environment.

Each case imports the settings in a fresh interpreter with a controlled environment,
because the settings are read once at import and the test process already has its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

DUMP_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "host": db.get("HOST"),
    "port": db.get("PORT"),
    "user": db.get("USER"),
    "whoosh_path": settings.HAYSTACK_CONNECTIONS["default"]["PATH"],
    "data_dir": str(settings.DATA_DIR),
    "debug": settings.DEBUG,
    "secret_key": settings.SECRET_KEY,
    "language_code": settings.LANGUAGE_CODE,
    "time_zone": settings.TIME_ZONE,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "cache_backends": sorted({c["BACKEND"] for c in settings.CACHES.values()}),
    "cache_locations": sorted({c.get("LOCATION", "") for c in settings.CACHES.values()}),
    "options": db.get("OPTIONS", {}),
}))
"""


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Import portal.settings in a subprocess whose environment holds only ``env``."""
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # Never the real var/: each case gets its own data directory unless it sets one.
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
    }
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", DUMP_SETTINGS],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_dict(tmp_path: Path, **env: str) -> dict:
    result = load_settings(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_missing_secret_key_with_debug_off_is_refused(tmp_path):
    result = load_settings(tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_empty_secret_key_counts_as_missing(tmp_path):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY="", DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_without_secret_key_uses_a_development_key(tmp_path):
    values = settings_dict(tmp_path, DJANGO_DEBUG="1")

    assert values["debug"] is True
    assert values["secret_key"].startswith("django-insecure-")


def test_secret_key_from_environment(tmp_path):
    values = settings_dict(tmp_path, DJANGO_SECRET_KEY="s3cret")

    assert values["secret_key"] == "s3cret"
    assert values["debug"] is False
    assert values["session_cookie_secure"] is True


def test_secure_cookies_can_be_switched_off_for_plain_http(tmp_path):
    values = settings_dict(tmp_path, DJANGO_SECRET_KEY="s3cret", DJANGO_SECURE_COOKIES="0")

    assert values["session_cookie_secure"] is False


def test_database_url_selects_postgresql(tmp_path):
    values = settings_dict(
        tmp_path,
        DJANGO_SECRET_KEY="s3cret",
        DATABASE_URL="postgres://essay:pw@db.example.org:5433/portal",
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "portal"
    assert values["host"] == "db.example.org"
    assert values["port"] == 5433
    assert values["user"] == "essay"


def test_default_database_is_sqlite_in_the_data_dir(tmp_path):
    values = settings_dict(tmp_path, DJANGO_SECRET_KEY="s3cret")

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "data" / "portal.sqlite3")


def test_portal_data_dir_moves_sqlite_file_and_whoosh_index(tmp_path):
    data_dir = tmp_path / "elsewhere" / "portal-data"

    values = settings_dict(tmp_path, DJANGO_SECRET_KEY="s3cret", PORTAL_DATA_DIR=str(data_dir))

    assert values["data_dir"] == str(data_dir)
    assert values["name"] == str(data_dir / "portal.sqlite3")
    assert values["whoosh_path"] == str(data_dir / "whoosh")
    assert data_dir.is_dir(), "the data directory is created on start-up"


def test_portal_index_dir_overrides_the_whoosh_path(tmp_path):
    index_dir = tmp_path / "index"

    values = settings_dict(tmp_path, DJANGO_SECRET_KEY="s3cret", PORTAL_INDEX_DIR=str(index_dir))

    assert values["whoosh_path"] == str(index_dir)
    assert values["name"] == str(tmp_path / "data" / "portal.sqlite3")


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("language_code", "zh-hans"), ("time_zone", "Asia/Shanghai")],
)
def test_chinese_locale_and_china_time(tmp_path, setting, expected):
    values = settings_dict(tmp_path, DJANGO_SECRET_KEY="s3cret")

    assert values[setting] == expected


def test_caches_are_per_machine_by_default(tmp_path):
    values = settings_dict(tmp_path, DJANGO_DEBUG="1")

    assert values["cache_backends"] == ["django.core.cache.backends.locmem.LocMemCache"]


def test_portal_cache_url_puts_every_cache_in_redis(tmp_path):
    values = settings_dict(tmp_path, DJANGO_DEBUG="1", PORTAL_CACHE_URL="redis://10.0.0.5:6379/2")

    assert values["cache_backends"] == ["django.core.cache.backends.redis.RedisCache"]
    assert values["cache_locations"] == ["redis://10.0.0.5:6379/2"]


def test_a_cache_url_that_is_not_redis_is_refused(tmp_path):
    result = load_settings(tmp_path, DJANGO_DEBUG="1", PORTAL_CACHE_URL="memcached://x:11211")

    assert result.returncode != 0
    assert "PORTAL_CACHE_URL must be a Redis URL" in result.stderr


def test_sqlite_waits_for_other_writers_and_postgresql_is_left_alone(tmp_path):
    sqlite = settings_dict(tmp_path, DJANGO_DEBUG="1", PORTAL_SQLITE_BUSY_TIMEOUT="7")
    assert sqlite["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in sqlite["options"]["init_command"]
    assert sqlite["options"]["timeout"] == 7
    postgres = settings_dict(
        tmp_path, DJANGO_DEBUG="1", DATABASE_URL="postgres://u:p@db.example:5432/essays"
    )
    assert "transaction_mode" not in postgres["options"]
    assert "init_command" not in postgres["options"]


def test_the_postgres_search_backend_on_sqlite_is_refused_at_start(tmp_path):
    """Its index is tables in the database: on SQLite every search would fail instead."""
    result = load_settings(tmp_path, DJANGO_DEBUG="1", PORTAL_SEARCH_BACKEND="postgres")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "PORTAL_SEARCH_BACKEND=postgres needs a PostgreSQL database" in result.stderr
    assert "sqlite3" in result.stderr


def test_the_postgres_search_backend_on_postgresql_is_accepted(tmp_path):
    found = settings_dict(
        tmp_path,
        DJANGO_DEBUG="1",
        PORTAL_SEARCH_BACKEND="postgres",
        DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
    )
    assert found["engine"] == "django.db.backends.postgresql"


def test_postgresql_connections_give_up_on_a_lock_after_the_lock_timeout(tmp_path):
    url = "postgres://portal@127.0.0.1:5432/portal?sslmode=disable"
    found = settings_dict(tmp_path, DJANGO_DEBUG="1", DATABASE_URL=url)
    assert "-c lock_timeout=20000" in found["options"]["options"]
    assert found["options"]["sslmode"] == "disable"  # the URL's own options are kept
    found = settings_dict(tmp_path, DJANGO_DEBUG="1", DATABASE_URL=url, PORTAL_PG_LOCK_TIMEOUT="5")
    assert "-c lock_timeout=5000" in found["options"]["options"]
