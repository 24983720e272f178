"""A throwaway PostgreSQL server from Debian's binaries, in a temp folder, on a free port.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` account
Debian's package creates. It is stopped with `pg_ctl stop` (its own pid file).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from .processes import free_port


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
        self.port = free_port()
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
            "initdb", "-D", str(self.data), "-U", self.user, f"--pwfile={pwfile}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--no-instructions",
        )  # fmt: skip
        pwfile.unlink()
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.base / "log"),
                  "-w", "start")  # fmt: skip
        env = {**os.environ, "PGPASSWORD": self.password}
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                  "jupyterhub", env=env)  # fmt: skip

    def url(self, database: str = "jupyterhub") -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
