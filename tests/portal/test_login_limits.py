"""Admin logins are limited per address and per user name (both), a locked-out attempt
is refused before the password is hashed, and the address is read through the trusted
proxies setting, so behind a proxy one attacker does not lock everyone out."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from tests.essays.admin.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def attempt(username: str, password: str, **meta: str):
    return Client().post(LOGIN, {"username": username, "password": password}, **meta)


def test_many_user_names_from_one_address_lock_that_address(editor):
    for n in range(5):
        attempt(f"guess{n}", "错误的密码", REMOTE_ADDR="203.0.113.9")
    # Even the right password for a real editor is refused from that address …
    refused = attempt("bianji", PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert "登录已被暂时锁定" in refused.content.decode()
    # … while the editor's own address is not locked.
    assert attempt("bianji", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_guesses_at_one_user_from_many_addresses_lock_that_user(editor):
    for n in range(5):
        attempt("bianji", "错误的密码", REMOTE_ADDR=f"203.0.113.{n + 1}")
    assert attempt("bianji", PASSWORD, REMOTE_ADDR="203.0.113.99").status_code == 429
    from axes.utils import reset

    reset(username="bianji")  # what `axes_reset_username bianji` does
    assert attempt("bianji", PASSWORD, REMOTE_ADDR="203.0.113.99").status_code == 302


def test_a_refused_attempt_never_hashes_a_password(editor, monkeypatch):
    for n in range(5):
        attempt(f"guess{n}", "错误的密码", REMOTE_ADDR="203.0.113.9")
    hashed: list[str] = []
    original = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        hashed.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    for n in range(10):
        assert attempt(f"other{n}", "又一个密码", REMOTE_ADDR="203.0.113.9").status_code == 429
    assert attempt("bianji", "又一个密码", REMOTE_ADDR="203.0.113.9").status_code == 429
    assert hashed == []
    # An attempt that is not refused does hash (the spy works).
    attempt("bianji", "又一个密码", REMOTE_ADDR="198.51.100.7")
    assert hashed


def test_behind_a_proxy_each_client_is_counted_on_its_own_address(editor, settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(5):
        attempt(f"guess{n}", "错误的密码", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert (
        attempt("guess9", "错误的密码", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code
        == 429
    )
    # The real editor, through the same proxy from another address, logs in.
    ok = attempt("bianji", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert ok.status_code == 302
    # A client cannot pick its counted address by sending X-Forwarded-For itself: the
    # proxy appends the real one, and only that is trusted.
    spoofed = attempt(
        "guess9", "错误的密码", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", **proxy
    )
    assert spoofed.status_code == 429


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
def test_a_refused_next_lands_on_the_admin_index(editor, next_url):
    response = Client().post(
        f"{LOGIN}?next={next_url}", {"username": "bianji", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
