"""portal/gunicorn.conf.py: the app is preloaded in the master; address and workers from env."""

from __future__ import annotations

import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "portal" / "gunicorn.conf.py"


def test_preloads_the_app_with_two_workers_on_loopback_by_default(monkeypatch):
    for name in ("HOST", "PORT", "GUNICORN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(CONF))
    assert conf["preload_app"] is True
    assert conf["wsgi_app"] == "portal.wsgi:application"
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["workers"] == 2


def test_reads_host_port_and_workers(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    conf = runpy.run_path(str(CONF))
    assert conf["bind"] == "0.0.0.0:9001"
    assert conf["workers"] == 3


def test_the_master_builds_the_folding_tables_before_the_workers_fork(monkeypatch):
    """Workers forked after ``when_ready`` share the tables every search folds text
    with, instead of each building its own (0.3 s) on its first request."""
    from essays.text import normalize
    from search import backends

    class Backend:
        warmed = False

        def warm(self):
            Backend.warmed = True

    monkeypatch.setattr(backends, "get_backend", Backend)
    for table in (normalize._char_table, normalize._phrase_starts):
        table.cache_clear()
    runpy.run_path(str(CONF))["when_ready"](None)
    assert Backend.warmed
    assert normalize._char_table.cache_info().currsize == 1
    assert normalize._phrase_starts.cache_info().currsize == 1
    assert normalize.fold("統籌城鄉，ＭＢＴＩ") == "统筹城乡,mbti"
