"""MLflow's own server, run by the gateway in MLflow's environment: its command and
environment (nothing of the hub's: no hub token reaches it), its basic-auth settings, a
secret made at each start that only the gateway sends, start, health, stop.

MLflow listens on loopback on a port picked at start; every request there must carry the
secret (mlflow_plugin/galilean_mlflow_auth.py), so a process that finds the port gets 401.
A gateway killed with -9 leaves MLflow running: the next start stops that process group
first (its pid file), then starts afresh.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

from .artifact_store import in_s3, store_environment
from .config import GatewayConfig
from .settings import SERVICE_USER

log = logging.getLogger("galilean.mlflow")
PLUGIN = Path(__file__).parent / "mlflow_plugin"
AUTH_FUNCTION = "galilean_mlflow_auth:authenticate_gateway"
STOP_GRACE = 20.0


class MlflowUnavailable(Exception):
    """MLflow cannot start here; the message says why and what to do."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def auth_ini(config: GatewayConfig) -> str:
    """MLflow's auth settings: nobody sees what they were not given; the gateway decides
    who the user is. The admin password comes from the environment (and is never used)."""
    return (
        "[mlflow]\n"
        "default_permission = NO_PERMISSIONS\n"
        f"database_uri = {config.db_url}\n"
        f"admin_username = {SERVICE_USER}\n"
        f"authorization_function = {AUTH_FUNCTION}\n"
    )


class Backend:
    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        # The artifact store's keys, from the hub's secrets (artifact_store.py).
        self.store_keys: dict[str, str] = {}
        self.secret = secrets.token_urlsafe(32)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.ready_after: float | None = None
        # Why MLflow cannot run (not installed, its database unreachable, it keeps dying):
        # the gateway keeps answering, 503 with this, rather than exit (a managed service
        # that exits takes the hub down with it).
        self.problem: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.config.state / "mlflow.pid"

    @property
    def log_path(self) -> Path:
        return self.config.state / "mlflow.log"

    def command(self) -> list[str]:
        c = self.config
        return [
            str(c.mlflow),
            "server",
            "--app-name",
            "basic-auth",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(c.workers),
            "--backend-store-uri",
            c.db_url,
            "--artifacts-destination",
            str(c.artifacts),
            "--serve-artifacts",
        ]

    def environment(self) -> dict[str, str]:
        c = self.config
        keep = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "SSL_CERT_FILE", "TZ")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        return (
            env
            | {
                "PYTHONPATH": str(PLUGIN),
                "MLFLOW_AUTH_CONFIG_PATH": str(self.config.state / "auth.ini"),
                "MLFLOW_AUTH_ADMIN_USERNAME": SERVICE_USER,
                "MLFLOW_AUTH_ADMIN_PASSWORD": secrets.token_urlsafe(24),
                "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_urlsafe(32),
                "MLFLOW_BASIC_AUTH_FAIL_CLOSED": "true",
                # Only GenAI scorer jobs need it, and it costs 7 processes (> 1 GB).
                "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
                # A homelab's MLflow does not report its use to anyone.
                "MLFLOW_DISABLE_TELEMETRY": "true",
                "DO_NOT_TRACK": "true",
                "GALILEAN_MLFLOW_GATEWAY_SECRET": self.secret,
                "GALILEAN_MLFLOW_ADMIN_GROUP": self.config.admin_group,
            }
            | store_environment(c.artifacts, c.s3_endpoint_url, self.store_keys)
        )

    def check(self) -> None:
        if not self.config.mlflow.is_file():
            raise MlflowUnavailable(
                f"MLflow is not installed at {self.config.home} (make install puts it there; "
                "or set GALILEAN_MLFLOW_HOME, or GALILEAN_MLFLOW_ENABLED=false)"
            )

    def start(self) -> None:
        self.check()
        self.stop_stale()
        state = self.config.state
        state.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not in_s3(self.config.artifacts):
            Path(self.config.artifacts).mkdir(parents=True, exist_ok=True)
        ini = state / "auth.ini"
        fd = os.open(ini, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:  # it may hold the database password
            out.write(auth_ini(self.config))
        self.port = free_port()
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                env=self.environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=state,
                start_new_session=True,  # its workers are stopped with it, as a group
            )
        self.started = time.monotonic()
        self.pid_file.write_text(str(self.proc.pid))
        log.info("MLflow starting on port %d (pid %d)", self.port, self.proc.pid)

    def exited(self) -> str | None:
        """Why MLflow is gone (its log's end), or None while it runs."""
        if self.proc is None or self.proc.poll() is None:
            return None
        lines = self.log_path.read_text(errors="replace").splitlines()[-15:]
        return f"MLflow exited with {self.proc.returncode}:\n" + "\n".join(lines)

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_group(self.proc.pid, STOP_GRACE)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=1)
        self.proc = None
        self.pid_file.unlink(missing_ok=True)

    def stop_stale(self) -> None:
        """A previous gateway's MLflow (that gateway was killed): stop its group."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return
        try:  # the hub's environment has no psutil: Linux's /proc says what runs
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            command = b""
        if b"mlflow" in command:
            log.warning("stopping MLflow left running by a previous start (pid %d)", pid)
            stop_group(pid, STOP_GRACE)
        self.pid_file.unlink(missing_ok=True)


def stop_group(pid: int, grace: float) -> None:
    """SIGTERM to the process group `pid` leads, SIGKILL to what is left after `grace`."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
