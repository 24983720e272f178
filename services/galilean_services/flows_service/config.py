"""The service's settings, from the environment the hub gives it (galilean_hub.config
passes them; their documentation is in stack.env.example under "flows")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ServiceConfig:
    db_url: str
    files_root: str  # a folder per user: contains "{user}"
    port: int = 8082
    prefix: str = "/services/flows/"
    run_timeout: int = 3600
    max_parallel_runs: int = 2
    endpoint_timeout: int = 60
    endpoint_idle_seconds: int = 600  # an endpoint worker idle this long is stopped
    schedule_check_seconds: float = 15.0
    memory_limit: str = "2GB"
    engine: str = "auto"  # runs: auto (Polars where it can) | duckdb
    http_allow: tuple[str, ...] = field(default_factory=tuple)
    # Where flows execute: auto (bubblewrap when it works here) | bubblewrap | none |
    # docker (a container per run from the user's image; the hub sets it in docker mode)
    isolation: str = "auto"
    # Whether isolated runs reach the network at all: none | allowed (public addresses and
    # the allow-list's private ones, checked by the engine). A non-empty allow-list
    # implies "allowed".
    network: str = "none"
    max_processes: int = 512  # processes and threads of one run (where cgroups allow)
    endpoint_workers: int = 8  # endpoint worker processes alive at once, all endpoints
    endpoint_concurrency: int = 1  # calls of one endpoint executing at once (workers each)
    # Docker mode: the user's image and limits, the network runs may join (when allowed)
    docker_image: str = "galilean/notebook:latest"
    docker_network: str = ""
    docker_mem_limit: str = "2G"
    docker_cpu_limit: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceConfig:
        env = os.environ if env is None else env
        data = Path(env.get("GALILEAN_DATA_DIR", "var")).absolute()
        url = env.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8082")
        return cls(
            db_url=env.get("GALILEAN_FLOWS_DB_URL") or f"sqlite:///{data / 'flows.sqlite'}",
            files_root=env.get("GALILEAN_FLOWS_FILES_ROOT") or str(data / "users/{user}/home"),
            port=int(url.rsplit(":", 1)[1].split("/")[0]),
            prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", "/services/flows/"),
            run_timeout=int(env.get("GALILEAN_FLOWS_RUN_TIMEOUT", "3600")),
            max_parallel_runs=int(env.get("GALILEAN_FLOWS_MAX_PARALLEL_RUNS", "2")),
            endpoint_timeout=int(env.get("GALILEAN_FLOWS_ENDPOINT_TIMEOUT", "60")),
            endpoint_idle_seconds=int(env.get("GALILEAN_FLOWS_ENDPOINT_IDLE_SECONDS", "600")),
            schedule_check_seconds=float(env.get("GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS", "15")),
            memory_limit=env.get("GALILEAN_FLOWS_MEMORY_LIMIT", "2GB"),
            engine=env.get("GALILEAN_FLOWS_ENGINE", "auto"),
            isolation=env.get("GALILEAN_FLOWS_ISOLATION", "auto"),
            network=env.get("GALILEAN_FLOWS_NETWORK", "none"),
            max_processes=int(env.get("GALILEAN_FLOWS_MAX_PROCESSES", "512")),
            endpoint_workers=int(env.get("GALILEAN_FLOWS_ENDPOINT_WORKERS", "8")),
            endpoint_concurrency=int(env.get("GALILEAN_FLOWS_ENDPOINT_CONCURRENCY", "1")),
            docker_image=env.get("GALILEAN_DOCKER_IMAGE", "galilean/notebook:latest"),
            docker_network=env.get("GALILEAN_DOCKER_NETWORK", ""),
            docker_mem_limit=env.get("GALILEAN_DOCKER_MEM_LIMIT", "2G"),
            docker_cpu_limit=float(env.get("GALILEAN_DOCKER_CPU_LIMIT", "1.0")),
            http_allow=tuple(
                h.strip().lower()
                for h in env.get("GALILEAN_FLOWS_HTTP_ALLOW", "").split(",")
                if h.strip()
            ),
        )

    @property
    def needs_network(self) -> bool:
        return self.network == "allowed" or bool(self.http_allow)

    def files_of(self, user: str) -> Path:
        """The owner's folder: relative paths in the owner's flows start here."""
        folder = Path(self.files_root.replace("{user}", user))
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder
