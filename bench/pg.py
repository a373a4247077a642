"""A throwaway PostgreSQL server (Debian's postgresql package) for the benchmarks and the tests
(`tests/fixtures/services.py` starts its session server with `server`)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg


def bindir() -> Path | None:
    """The folder of pg_ctl/initdb, None when the server package is not installed."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the 'postgres' system user the Debian package creates."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(settings: str = "-c shared_buffers=256MB -c max_wal_size=8GB -c checkpoint_timeout=30min",
           stop_mode: str = "fast"):
    """Yield a base URL (no database) of a fresh server started with `settings` (postgres -c options); stop it
    (`stop_mode` of pg_ctl) and remove it afterwards."""
    folder = bindir()
    if folder is None:
        raise RuntimeError("PostgreSQL server binaries not found (Debian package 'postgresql')")
    root = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(folder / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E",
                                 "UTF8", "--no-locale"]), check=True, capture_output=True)
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 {settings}"
    subprocess.run(_as_postgres([str(folder / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
                                 "-w", "start"]), check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([str(folder / "pg_ctl"), "-D", str(data), "-m", stop_mode, "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def create_database(base: str, prefix: str = "bench") -> str:
    """A new empty database on the server at `base`; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    deadline = time.monotonic() + 10
    while True:
        try:
            with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            return f"{base}/{name}"
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def drop_database(url: str) -> None:
    """Drop the database of `url` (made by `create_database`)."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base.replace('postgresql+psycopg://', 'postgresql://')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
