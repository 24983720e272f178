"""A throwaway PostgreSQL server from Debian's binaries, in a temp folder, on a free port.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` account
Debian's package creates. It is stopped with `pg_ctl stop` (its own pid file). It listens
on 127.0.0.1 (the connections tests reach it as users would) and on a Unix socket in its
folder (`socket_dir`); the TCP port is picked, and picked again if it was taken
meanwhile (processes.start_on_free_ports).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from .processes import log_since, log_size, pick_port, raise_if_port_taken, start_on_free_ports


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts)
    if not versions:
        raise RuntimeError("PostgreSQL server binaries not found: run scripts/install-test-deps")
    return versions[-1].parent


class Postgres:
    """Lives in its own temp folder (pytest's are closed to the `postgres` account)."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="galilean-pg-"))
        self.data = self.base / "pgdata"
        self.socket_dir = self.base
        self.log = self.base / "log"
        self.port = 0  # picked at start
        self.user = "galilean"
        self.password = secrets.token_hex(12)
        self.bin = pg_bin()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, env: dict[str, str] | None = None) -> str:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, check=False, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def start(self) -> Postgres:
        try:
            self._start()
        except Exception:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password)
        if self.as_root:
            shutil.chown(self.base, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        pwfile.chmod(0o600)
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", self.user, f"--pwfile={pwfile}"),
            *("--auth=scram-sha-256", "--encoding=UTF8", "--no-instructions"),
            "--no-sync",  # a test database: nothing to keep across a power cut
        )
        pwfile.unlink()
        start_on_free_ports(self._serve, "PostgreSQL")
        env = {**os.environ, "PGPASSWORD": self.password}
        address = ("-h", "127.0.0.1", "-p", str(self.port))
        self._run("createdb", *address, "-U", self.user, "jupyterhub", env=env)

    def _serve(self) -> None:
        self.port = pick_port()
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
            # A test database: no waiting for the disk (a crash loses it anyway).
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        began = log_size(self.log)
        try:
            self._run(
                "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"
            )
        except RuntimeError:
            raise_if_port_taken(log_since(self.log, began), "PostgreSQL")
            raise

    def url(self, database: str = "jupyterhub") -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
