"""Several web machines on one host: gunicorn nodes sharing one PostgreSQL and one Redis.

What differs between two web machines is modelled as it is in a deployment: each node is
its own gunicorn (``portal/gunicorn.conf.py``: app preloaded, its own workers) with its
own ``PORTAL_DATA_DIR``; they share ``DATABASE_URL`` (PostgreSQL), ``PORTAL_CACHE_URL``
(Redis) and ``PORTAL_SEARCH_BACKEND=postgres``. Used by ``tests/deploy/`` and by
``scripts/loadtest.py --nodes N``. Every process listens on 127.0.0.1 only and is
stopped by its own process group id.
"""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def node_env(
    data_dir: Path, database_url: str, cache_url: str, static_root: Path, **extra: str
) -> dict[str, str]:
    """The environment of one web node: production-like, plain http on loopback.

    ``extra`` overrides (e.g. ``DJANGO_SETTINGS_MODULE="portal.test_settings"``: static
    files served from the apps' folders, no ``collectstatic`` needed)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PORTAL_", "DJANGO_", "DATABASE_URL", "GUNICORN_"))
    }
    env.update(
        {
            "PORTAL_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "PORTAL_CACHE_URL": cache_url,
            "PORTAL_SEARCH_BACKEND": "postgres",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_SECRET_KEY": "two-nodes-test-secret-key-not-for-production-0123456789",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_STATIC_ROOT": str(static_root),
            "GUNICORN_WORKERS": "2",
            "HOST": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


#: Python run by :func:`prepare_database`: migrate, import the bundled documents (indexed
#: by the configured backend as they are written) and add editors, in one process.
PREPARE = """
import sys
from pathlib import Path
from django.contrib.auth.models import Group, User
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
sources = sorted(str(p) for p in Path("fixtures/source").glob("*.txt"))
call_command("import_essays", *sources, verbosity=0)
for name, password in {editors!r}:
    user = User.objects.create_user(name, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name="编辑"))
"""


def prepare_database(env: dict[str, str], editors: list[tuple[str, str]]) -> None:
    """Migrate the nodes' database, import the bundled documents, add ``editors``
    (name, password) to the 编辑 group: one Django process."""
    manage(env, "shell", "-c", PREPARE.format(editors=editors))


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run ``manage.py args`` in ``env``; its stdout (raises with stderr on failure)."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


class Node:
    """One web machine: a gunicorn with its own data directory, on a free loopback port."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(env["PORTAL_DATA_DIR"]) / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    def spawn(self) -> Node:
        """Start gunicorn (without waiting for it: see :meth:`wait_ready`)."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "-c", str(ROOT / "portal" / "gunicorn.conf.py")],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )
        return self

    def wait_ready(self, timeout: float = 60) -> Node:
        """Wait until the node answers ``/healthz`` (any status: 503 is a verdict)."""
        assert self.process is not None, "spawn() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5):
                    return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"node {self.name} did not answer within {timeout} s:\n{self.log()}")

    def start(self, timeout: float = 60) -> Node:
        """Start gunicorn and wait until it answers."""
        return self.spawn().wait_ready(timeout)

    def log(self) -> str:
        """The tail of the node's gunicorn log."""
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the node's whole process group (master and workers), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the node gracefully (SIGTERM to its group), killing it after 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        except ProcessLookupError:
            pass


class Browser:
    """A cookie-keeping HTTP client (urllib), one per simulated reader or editor."""

    def __init__(self, forwarded_for: str = "") -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.forwarded_for = forwarded_for

    def request(
        self, url: str, data: dict | list | None = None, timeout: float = 30
    ) -> tuple[int, dict[str, str], str]:
        """GET (or POST form ``data``): status, headers and body; never raises on 4xx/5xx."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        return self._send(urllib.request.Request(url, data=body), timeout)

    def upload(
        self, url: str, fields: dict[str, str], name: str, filename: str, content: bytes
    ) -> tuple[int, dict[str, str], str]:
        """POST ``fields`` and one file (``name``) as a browser's multipart form does."""
        boundary = f"----portal{uuid.uuid4().hex}"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
            + f"{value}\r\n".encode()
            for key, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(url, data=b"".join(parts))
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        return self._send(request, timeout=60)

    def _send(self, request: urllib.request.Request, timeout: float) -> tuple[int, dict, str]:
        if self.forwarded_for:
            request.add_header("X-Forwarded-For", self.forwarded_for)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        """The value of cookie ``name`` ('' when unset)."""
        return next((c.value or "" for c in self.jar if c.name == name), "")


class RedisServer:
    """A throwaway ``redis-server`` (Debian's) on a free loopback port, no persistence."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="portal-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        """Start it and wait until it answers PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen(
            [
                *(binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""),
                *("--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return self
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop it and remove its folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the PostgreSQL server of ``server_url``; its URL."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(server_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` (closing its remaining connections first)."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(server_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    connection.close()
