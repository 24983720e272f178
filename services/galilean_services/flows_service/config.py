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
    plan_cache_size: int = 64
    plan_cache_ttl: int = 600
    schedule_check_seconds: float = 15.0
    memory_limit: str = "2GB"
    engine: str = "auto"  # runs: auto (Polars where it can) | duckdb
    http_allow: tuple[str, ...] = field(default_factory=tuple)

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
            plan_cache_size=int(env.get("GALILEAN_FLOWS_PLAN_CACHE_SIZE", "64")),
            plan_cache_ttl=int(env.get("GALILEAN_FLOWS_PLAN_CACHE_TTL", "600")),
            schedule_check_seconds=float(env.get("GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS", "15")),
            memory_limit=env.get("GALILEAN_FLOWS_MEMORY_LIMIT", "2GB"),
            engine=env.get("GALILEAN_FLOWS_ENGINE", "auto"),
            http_allow=tuple(
                h.strip().lower()
                for h in env.get("GALILEAN_FLOWS_HTTP_ALLOW", "").split(",")
                if h.strip()
            ),
        )

    def files_of(self, user: str) -> Path:
        """The owner's folder: relative paths in the owner's flows start here."""
        folder = Path(self.files_root.replace("{user}", user))
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder
