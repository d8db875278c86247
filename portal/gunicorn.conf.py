"""gunicorn settings for the essay portal (``gunicorn -c portal/gunicorn.conf.py``).

The application is loaded once in the master (``preload_app``): Django, the URL
configuration and jieba's dictionary (about 60 MB, a second to load; see
``essays.text.jieba_setup``) are read before the workers fork, so every worker starts ready
and shares those pages with the master instead of loading its own copy.
Environment: ``HOST`` and ``PORT`` (default 127.0.0.1:8000), ``GUNICORN_WORKERS``
(default 2), ``GUNICORN_TIMEOUT`` (seconds, default 30).
"""

from __future__ import annotations

import os

wsgi_app = "portal.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
preload_app = True
# Files the workers create (database, index, uploads) are private: 0600 (portal/private_files.py).
umask = 0o077


def post_fork(server, worker) -> None:
    """Give each worker its own database connections (none is shared with the master)."""
    from django.db import connections

    connections.close_all()


def when_ready(server) -> None:
    """Before the workers fork: build the text-folding tables and read what the first
    pinyin search needs from the index, so no worker's first request waits for them."""
    import logging

    from essays.text.normalize import build_tables
    from search.backends import get_backend

    build_tables()
    try:
        get_backend().warm()
    except Exception:  # no index yet, or a damaged one: search answers 503 until rebuilt
        logging.getLogger("portal").warning("Could not warm the search index", exc_info=True)


def post_worker_init(worker) -> None:
    """A worker that starts (one replacing a killed worker too) soon writes the changes
    waiting in the re-index outbox: a killed worker's commit may have had no index write
    (search/outbox.py). Runs in a background thread; off when
    ``PORTAL_REINDEX_RETRY_SECONDS`` is 0."""
    from search.outbox import schedule_retry

    schedule_retry(delay=1.0)
