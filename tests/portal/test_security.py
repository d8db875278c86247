"""Production settings: ``check --deploy`` is clean with the documented environment, and
every response carries the security headers; searching is rate limited per client."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from portal.ratelimit import client_address, search_allowance

BASE_DIR = Path(__file__).resolve().parents[2]

#: The production environment README.md documents (HTTPS behind a proxy).
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    "DJANGO_ALLOWED_HOSTS": "essays.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://essays.example.org",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_SECURE_HSTS_PRELOAD": "1",
}


def _manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_https_is_switched_off(tmp_path):
    env = {**PRODUCTION_ENV, "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_HSTS_SECONDS": "0"}
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
    assert "security.W008" in result.stderr + result.stdout  # no https redirect


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_https_redirect_and_hsts(client):
    response = client.get("/essays/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get("/essays/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz").status_code in {200, 503}  # probes stay on http


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_cookies_are_secure_and_http_only(client):
    response = client.get("/admin/login/", secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY


def test_no_inline_script_style_or_handler_in_any_template():
    """The CSP would block them; scripts live in static/ (js/site.js, search-as-you-type)."""
    for template in [
        *(BASE_DIR / "templates").rglob("*.html"),
        *BASE_DIR.glob("*/templates/**/*.html"),
    ]:
        text = template.read_text(encoding="utf-8")
        for tag in text.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline script in {template}"
        assert "<style" not in text and "style=" not in text, f"inline style in {template}"
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", text), f"inline handler in {template}"


# Rate limit ------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(PORTAL_SEARCH_RATE_LIMIT=3, PORTAL_SEARCH_RATE_WINDOW=60)
def test_a_client_searching_too_often_gets_a_polite_429(client):
    call_command("rebuild_index_swapped", verbosity=0)
    cache.clear()
    # Different queries: a repeated one is answered from the page cache, which costs
    # nothing and is not counted (pagecache/middleware.py).
    for query in ("城乡", "统筹", "服务"):
        assert client.get("/api/search/", {"q": query}).status_code == 200
    api = client.get("/api/search/", {"q": "劳动力"})
    assert api.status_code == 429
    assert 1 <= int(api["Retry-After"]) <= 60
    assert "搜索太频繁" in api.json()["error"]
    page = client.get("/search/", {"q": "城乡"})
    assert page.status_code == 429 and "请稍后再搜索" in page.content.decode("utf-8")
    # Another client is not affected, and reading pages are never limited.
    assert client.get("/search/", {"q": "城乡"}, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get("/essays/").status_code == 200


def test_the_window_resets_and_retry_after_counts_down():
    cache.clear()
    assert search_allowance("a", limit=1, window=60, now=120.0) == 0
    assert search_allowance("a", limit=1, window=60, now=150.0) == 30
    assert search_allowance("a", limit=1, window=60, now=180.0) == 0  # a new window


def test_forwarded_addresses_are_trusted_only_when_configured(rf, settings):
    request = rf.get("/search/", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4", REMOTE_ADDR="10.0.0.1")
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.1"
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_address(request) == "1.2.3.4"  # the address our proxy appended
