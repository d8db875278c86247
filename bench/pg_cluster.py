"""A throwaway PostgreSQL 15 cluster on loopback, for benchmarks and load tests.

Started the way ``scripts/test`` starts its own: Debian's ``initdb`` / ``pg_ctl``
(``/usr/lib/postgresql/15/bin``), a free 127.0.0.1 port, a private socket directory,
trust authentication for loopback only, no durability (``fsync`` off). As root the
cluster belongs to the ``postgres`` user (``initdb`` refuses root) and lives in a folder
that user owns. A cluster may be kept in a fixed folder and started again later (the
real-corpus benchmark reuses its imported database that way).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PgCluster:
    """One PostgreSQL cluster in ``folder`` (made when missing), started by :meth:`start`."""

    def __init__(self, folder: Path | None = None) -> None:
        self.owned = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix="portal-pg-")).resolve()
        self.port = 0
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def data(self) -> Path:
        """The cluster's data directory."""
        return self.folder / "data"

    def url(self, database: str = "portal") -> str:
        """The ``DATABASE_URL`` of ``database`` in this cluster."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str | Path) -> None:
        subprocess.run(
            [*self._as, *map(str, args)],
            check=True,
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def _init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"{PG_BIN}/initdb not found: install Debian's postgresql-15")
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as:
            subprocess.run(["chown", "postgres:", str(self.folder)], check=True)
        self._run("mkdir", "-p", self.folder / "socket")
        self._run(
            PG_BIN / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth=trust",
            "--no-sync",
        )
        hba = self.data / "pg_hba.conf"
        self._write(hba, "local all all trust\nhost all all 127.0.0.1/32 trust\n")

    def _write(self, path: Path, text: str, append: bool = False) -> None:
        subprocess.run(
            [*self._as, "tee", *(["-a"] if append else []), str(path)],
            input=text.encode(),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, settings: dict[str, str] | None = None) -> PgCluster:
        """Initialise the cluster if new, then start it on a free port (waits until up),
        with ``settings`` (``postgresql.conf`` names and values) on top of the defaults."""
        if not (self.data / "PG_VERSION").exists():
            self._init()
        self.port = _free_port()
        self._write(
            self.data / "postgresql.auto.conf",
            f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
            f"unix_socket_directories = '{self.folder / 'socket'}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            + "".join(f"{name} = '{value}'\n" for name, value in (settings or {}).items()),
        )
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-w", "start"
        )
        return self

    def create_database(self, name: str) -> str:
        """Create database ``name`` unless it exists; returns its URL."""
        found = subprocess.run(
            [
                PG_BIN / "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        if found.stdout.strip() != "1":
            subprocess.run(
                [
                    PG_BIN / "createdb",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    name,
                ],
                check=True,
            )
        return self.url(name)

    def server_pids(self) -> list[int]:
        """The postmaster and its backends' process ids (for memory figures)."""
        try:
            master = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        pids = [master]
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            pids += [int(child) for child in children]
        except OSError:
            pass
        return pids

    def stop(self, remove: bool | None = None) -> None:
        """Stop the server; remove its folder if it was a temporary one (or ``remove``)."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *self._as,
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                cwd=self.folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        if remove if remove is not None else self.owned:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
