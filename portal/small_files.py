"""Reading a marker file on every request: a few raw ``os`` calls, never an exception."""

from __future__ import annotations

import os


def read_small(path: str) -> str:
    """The stripped text of a small file (its first 256 bytes), or "-" when it cannot be
    read. Raw ``os`` calls: a buffered text file costs several times more, and the page
    cache reads such files (the content version, the live index generation) per request."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return "-"
    try:
        data = os.read(fd, 256)
    except OSError:
        return "-"
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace").strip() or "-"
