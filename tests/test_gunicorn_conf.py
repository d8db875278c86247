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
