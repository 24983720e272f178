"""A throwaway MariaDB server from Debian's binaries, in a temp folder, on a free port.

As root the server runs as the `mysql` account Debian's package creates. The harness
creates a user with a password (TCP, 127.0.0.1) and a database, and stops the server by
the pid it wrote. It listens on a Unix socket in its folder too (root's SQL goes there);
the TCP port is picked, and picked again if it was taken meanwhile.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .processes import (
    PortTaken,
    log_since,
    log_size,
    pick_port,
    raise_if_port_taken,
    spawn_logged,
    start_on_free_ports,
    wait_until,
)

MARIADBD = Path("/usr/sbin/mariadbd")


class MariaDB:
    def __init__(self) -> None:
        if not MARIADBD.exists():
            raise RuntimeError("MariaDB server binaries not found: run scripts/install-test-deps")
        self.base = Path(tempfile.mkdtemp(prefix="galilean-mariadb-"))
        self.data = self.base / "data"
        self.socket = self.base / "mysqld.sock"
        self.log = self.base / "server.log"
        self.log_start = 0
        self.port = 0  # picked at start
        self.user = "galilean"
        self.password = secrets.token_hex(12)
        self.database = "galilean"
        self.proc: subprocess.Popen[bytes] | None = None
        self.account = ["--user=mysql"] if os.geteuid() == 0 else []

    def start(self) -> MariaDB:
        try:
            self._start()
        except Exception:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base, "mysql", "mysql")
        options = ["--auth-root-authentication-method=socket", "--skip-test-db"]
        subprocess.run(
            ["mariadb-install-db", *self.account, f"--datadir={self.data}", *options],
            check=True,
            capture_output=True,
            timeout=120,
        )
        start_on_free_ports(self._serve, "MariaDB")
        self.sql(
            f"CREATE DATABASE {self.database}; "
            f"CREATE USER '{self.user}'@'127.0.0.1' IDENTIFIED BY '{self.password}'; "
            f"GRANT ALL ON {self.database}.* TO '{self.user}'@'127.0.0.1';"
        )

    def _serve(self) -> None:
        self.port = pick_port()
        self.log_start = log_size(self.log)
        command = [str(MARIADBD), "--no-defaults", *self.account, f"--datadir={self.data}"]
        command += [f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1"]
        command += [f"--pid-file={self.base / 'mysqld.pid'}", "--skip-name-resolve"]
        self.proc = spawn_logged(command, self.log)
        try:
            wait_until(self._ready, 60, "MariaDB")
        except PortTaken:
            self._stop_server()
            raise

    def _ready(self) -> bool:
        assert self.proc is not None
        raise_if_port_taken(log_since(self.log, self.log_start), "MariaDB")
        if self.proc.poll() is not None:
            output = log_since(self.log, self.log_start)[-2000:]
            raise RuntimeError(f"mariadbd exited with {self.proc.returncode}:\n{output}")
        return self.socket.exists()

    def sql(self, statements: str) -> None:
        """Run statements as the server's root account, over its socket."""
        subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "-u", "root", "-e", statements],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def url(self) -> str:
        return f"mysql+pymysql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def _stop_server(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        try:
            self._stop_server()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
