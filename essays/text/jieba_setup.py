"""jieba, initialised once per process with a cache file and user dictionary we own.

jieba loads its dictionary lazily on the first cut (about a second and 60 MB) and
caches it under ``/tmp`` with owner-only permissions.  :func:`ensure_jieba` loads it
eagerly from :class:`search.apps.SearchConfig.ready`, keeps the cache next to
``settings.JIEBA_CACHE_FILE`` and loads :data:`USER_DICT` — so the web process,
indexing commands and tests segment text identically.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba
from django.conf import settings

USER_DICT = Path(__file__).resolve().parent / "userdict.txt"

_lock = threading.Lock()
_ready = False


def user_words() -> list[str]:
    """The words of the user dictionary, in file order."""
    words = []
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line.split()[0])
    return words


def ensure_jieba() -> jieba.Tokenizer:
    """Initialise jieba's default tokenizer once; later calls return at once."""
    global _ready
    if _ready:
        return jieba.dt
    with _lock:
        if _ready:
            return jieba.dt
        jieba.setLogLevel(logging.WARNING)
        cache_file = Path(settings.JIEBA_CACHE_FILE)
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(cache_file.parent)
        jieba.dt.cache_file = cache_file.name
        jieba.dt.initialize()
        # jieba writes the cache with mkstemp (0600), like everything in the private
        # data directory (portal/private_files.py): the portal's user alone reads it.
        jieba.dt.load_userdict(str(USER_DICT))
        _ready = True
    return jieba.dt
