"""The real hub (embedded mode) with the real configurable-http-proxy, on free ports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import requests

from galilean_services import folders

from .processes import (
    PortTaken,
    descendants,
    log_since,
    log_size,
    pick_port,
    raise_if_port_taken,
    spawn_logged,
    start_on_free_ports,
    stop_tree,
    tail,
    wait_until,
)

REPO = Path(__file__).resolve().parents[2]
JUPYTERHUB = Path(sys.executable).parent / "jupyterhub"
CONFIG = REPO / "hub" / "jupyterhub_config.py"
HUB_START_TIMEOUT = 90
# Stopping takes the hub's own clean-up (servers, services, proxy) plus a margin.
HUB_STOP_GRACE = 60
# Logged once the proxy, the hub and its services are up (a taken port fails before).
RUNNING = "JupyterHub is now running at"


def picked_ports(overrides: dict[str, str]) -> dict[str, str]:
    """The hub's, its proxy's and the services' ports (none of them can take port 0
    and say which one it got), except those the test sets."""
    ports = {
        "GALILEAN_BIND_URL": f"http://127.0.0.1:{pick_port()}",
        "GALILEAN_HUB_PORT": str(pick_port()),
        "GALILEAN_PROXY_API_PORT": str(pick_port()),
        "GALILEAN_FLOWS_PORT": str(pick_port()),
        "GALILEAN_DATASETS_PORT": str(pick_port()),
        "GALILEAN_MLFLOW_PORT": str(pick_port()),
        "GALILEAN_AI_PORT": str(pick_port()),
        "GALILEAN_USAGE_PORT": str(pick_port()),
    }
    return {name: value for name, value in ports.items() if name not in overrides}


def hub_environment(workdir: Path, overrides: dict[str, str]) -> dict[str, str]:
    """The environment a test hub runs with: this venv, free ports, its own data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GALILEAN_")}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "GALILEAN_DATA_DIR": str(workdir / "var"),
            **picked_ports(overrides),
            # A fixed, short-lived key for the hub's proxy: generated per test hub.
            "CONFIGPROXY_AUTH_TOKEN": os.urandom(16).hex(),
            "GALILEAN_LOGIN_LOCKOUT_SECONDS": "600",
            # Tests and CI run as root; embedded mode refuses root unless told (root_guard.py).
            "GALILEAN_ALLOW_ROOT": "true",
            # MLflow costs ~20 s of CPU and ~450 MB per hub: only the hubs that test it
            # (tests/integration/test_mlflow_hub.py, the lab hub) turn it on.
            "GALILEAN_MLFLOW_ENABLED": "false",
            "GALILEAN_AI_ENABLED": "false",
        }
    )
    env.update(overrides)
    return env


class Hub:
    """One hub process; `start()` waits until it runs and its API answers through the
    proxy. A restart keeps its ports unless one was taken meanwhile (then `url` changes)."""

    def __init__(self, workdir: Path, **overrides: str) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.overrides = overrides
        self.env = hub_environment(workdir, overrides)
        self.log_path = workdir / "hub.log"
        self.log_start = 0
        self.proc: subprocess.Popen[bytes] | None = None
        # The hub's children (proxy, services), noted while it runs: if the hub dies on
        # its own they are orphans, and stop() must still find them.
        self.family: dict[int, psutil.Process] = {}

    @property
    def url(self) -> str:
        return self.env["GALILEAN_BIND_URL"]

    @property
    def data_dir(self) -> Path:
        return Path(self.env["GALILEAN_DATA_DIR"])

    def server_environment(self, user: str, server: str = "") -> dict[str, str]:
        """The environment of the running single-user server `user`/`server` (embedded
        mode: a child process of the hub): its real hub token and URLs, as its kernels
        get them."""
        return dict(self.server_process(user, server).environ())

    def server_process(self, user: str, server: str = "") -> psutil.Process:
        """The running single-user server `user`/`server` (embedded mode)."""
        assert self.proc is not None
        for proc in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                env = proc.environ()
            except (psutil.AccessDenied, psutil.NoSuchProcess):
                continue
            if (
                env.get("JUPYTERHUB_USER") == user
                and env.get("JUPYTERHUB_SERVER_NAME") == server
                and env.get("JPY_PARENT_PID") is None  # the server, not one of its kernels
            ):
                return proc
        raise AssertionError(f"no server process for {user}/{server}")

    def home_of(self, user: str) -> Path:
        """The user's folder (embedded mode), by the rule the hub and servers use."""
        return folders.expand(folders.embedded_template(self.data_dir), user)

    def start(self) -> Hub:
        return start_on_free_ports(self._start_once, f"the hub in {self.workdir}")

    def _start_once(self) -> Hub:
        self.log_start = log_size(self.log_path)
        self.proc = spawn_logged(
            [str(JUPYTERHUB), "-f", str(CONFIG)], self.log_path, cwd=self.workdir, env=self.env
        )
        try:
            wait_until(self._ready, HUB_START_TIMEOUT, f"the hub at {self.url}")
        except BaseException as failed:
            self.stop()
            if isinstance(failed, PortTaken):
                self.env.update(picked_ports(self.overrides))
            raise
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        self.family.update({p.pid: p for p in descendants(self.proc.pid)})
        output = log_since(self.log_path, self.log_start)
        raise_if_port_taken(output, "the hub")
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"the hub exited with {self.proc.returncode}:\n{tail(self.log_path)}"
            )
        if RUNNING not in output:
            return False
        try:
            return requests.get(f"{self.url}/hub/api", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            stop_tree(self.proc, HUB_STOP_GRACE, list(self.family.values()))
            self.proc = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
