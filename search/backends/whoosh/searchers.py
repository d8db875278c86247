"""Shared searchers: one open whoosh searcher per process and thread, lent to callers.

Opening a searcher per request cost ~10 ms: :class:`SearcherPool` keeps one open per
thread and lends it (:class:`SearcherLease`) while the live index is unchanged, that
is while its :func:`signature` (directory, and every file's name, size, time and
inode) is the same. When it changed (a save, a rebuild, or damage) a new searcher is
opened and the old one retired, closed as soon as no lease on it is out.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.searching import Searcher

from search.backends.base import IndexUnavailable

log = logging.getLogger(__name__)


def signature(path: Path) -> tuple:
    """The live index's state: its directory and every file's name, size and mtime."""
    try:
        files = []
        with os.scandir(path) as entries:
            for entry in entries:
                try:
                    stat = entry.stat()
                except FileNotFoundError:  # removed by a commit while we listed
                    continue
                files.append((entry.name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
        files.sort()
    except OSError as error:
        raise IndexUnavailable(f"cannot list the index in {path}: {error!r}") from error
    return (str(path), tuple(files))


class _SharedSearcher:
    """One open whoosh searcher on one state of the index, and the leases out on it.

    ``signature`` identifies the index state it was opened on (see
    :func:`signature`). A retired searcher (the index
    changed) is closed as soon as no lease on it is out.
    """

    def __init__(self, searcher: Searcher, signature: tuple):
        self.searcher = searcher
        self.signature = signature
        self.leases = 0
        self.retired = False
        self._lock = threading.Lock()

    def lend(self) -> None:
        with self._lock:
            self.leases += 1

    def give_back(self) -> None:
        with self._lock:
            self.leases -= 1
            close = self.retired and self.leases == 0
        if close:
            self._close()

    def retire(self) -> None:
        with self._lock:
            self.retired = True
            close = self.leases == 0
        if close:
            self._close()

    def _close(self) -> None:
        try:
            self.searcher.close()
        except Exception:  # a damaged or deleted index: nothing left to release
            log.debug("Closing a retired searcher failed", exc_info=True)


class SearcherLease:
    """What :meth:`SearcherPool.lease` returns: the shared searcher, lent.

    ``with backend.searcher() as searcher:`` gives the whoosh searcher itself; leaving
    the block (or :meth:`close`) returns the lease and does not close the shared
    searcher. Other attributes are the whoosh searcher's.
    """

    def __init__(self, shared: _SharedSearcher):
        self._shared = shared
        self._open = True
        shared.lend()

    @property
    def searcher(self) -> Searcher:
        """The whoosh searcher lent."""
        return self._shared.searcher

    def __enter__(self) -> Searcher:
        return self._shared.searcher

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Give the searcher back (it stays open for later requests)."""
        if self._open:
            self._open = False
            self._shared.give_back()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shared.searcher, name)


class SearcherPool:
    """Each thread's shared searcher (in this process: a fork starts afresh)."""

    def __init__(self) -> None:
        self._local = threading.local()  # per thread: (process id, _SharedSearcher)

    def lease(self, state: tuple, open_searcher: Callable[[], Searcher]) -> SearcherLease:
        """A lease on this thread's searcher if it was opened on index state ``state``,
        else on a new one from ``open_searcher()`` (the old one is retired)."""
        held = getattr(self._local, "held", None)
        shared = held[1] if held is not None and held[0] == os.getpid() else None
        if shared is not None and shared.signature == state and not shared.retired:
            return SearcherLease(shared)
        self._local.held = None
        if shared is not None:
            shared.retire()
        fresh = _SharedSearcher(open_searcher(), state)
        self._local.held = (os.getpid(), fresh)
        return SearcherLease(fresh)
