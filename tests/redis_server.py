"""A real Redis for the shared-cache tests.

``scripts/test`` starts one on a free loopback port and passes it as
``PORTAL_TEST_REDIS_URL``; run without it (plain ``pytest``), the session starts its own
``redis-server`` (Debian's package) and stops it afterwards. Each test gets the database
empty.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_own() -> tuple[str, subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (scripts/test installs Debian's redis-server)")
    folder = tempfile.mkdtemp(prefix="portal-redis-")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url).ping()
            return url, process, folder
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start within 10 s")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a running Redis for this test session."""
    given = os.environ.get("PORTAL_TEST_REDIS_URL")
    if given:
        yield given
        return
    url, process, folder = _start_own()
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def redis_client(redis_url):
    """A raw client of that Redis, its database emptied before the test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
