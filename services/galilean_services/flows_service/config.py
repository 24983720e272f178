"""The service's settings, resolved: read from the environment the hub gives it (the
groups CommonSettings, ContainerSettings and FlowsSettings; their defaults and help are on
their traits, the documentation is stack.env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..execution.config import PlaneConfig
from ..folders import owner_folder
from ..kit.settings import CommonSettings, ContainerSettings, service_port
from .settings import FlowsSettings

_FLOWS = FlowsSettings()  # the defaults, as the traits give them
_BOX = ContainerSettings()
PREFIX = "/services/flows/"
MLFLOW_URL_VARIABLE = "GALILEAN_FLOWS_MLFLOW_URL"


@dataclass(frozen=True)
class ServiceConfig:
    db_url: str
    files_root: str  # a folder per user: contains "{user}" (folders.USER)
    port: int = _FLOWS.flows_port
    prefix: str = PREFIX
    run_timeout: int = _FLOWS.flows_run_timeout
    max_parallel_runs: int = _FLOWS.flows_max_parallel_runs
    endpoint_timeout: int = _FLOWS.flows_endpoint_timeout
    endpoint_idle_seconds: int = _FLOWS.flows_endpoint_idle_seconds
    schedule_check_seconds: float = _FLOWS.flows_schedule_check_seconds
    memory_limit: str = _FLOWS.flows_memory_limit
    engine: str = _FLOWS.flows_engine
    http_allow: tuple[str, ...] = field(default_factory=tuple)
    # Where flows execute: auto | bubblewrap | none (GALILEAN_FLOWS_ISOLATION), or docker
    # (a container per run from the user's image) in docker mode.
    isolation: str = _FLOWS.flows_isolation
    network: str = _FLOWS.flows_network
    max_processes: int = _FLOWS.flows_max_processes
    endpoint_workers: int = _FLOWS.flows_endpoint_workers
    endpoint_concurrency: int = _FLOWS.flows_endpoint_concurrency
    # Docker mode: the user's image and limits, the network runs may join (when allowed)
    docker_image: str = _BOX.docker_image
    docker_network: str = _BOX.docker_network
    docker_mem_limit: str = _BOX.docker_mem_limit
    docker_cpu_limit: float = _BOX.docker_cpu_limit
    # The MLflow gateway on this machine (the hub gives it when MLflow is on) and this
    # service's hub token: trainings are logged there as their flow's owner.
    mlflow_url: str = ""
    hub_token: str = field(default="", repr=False)
    # The hub's API: the owners' secrets for runs with connections (run_secrets.py).
    hub_api_url: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceConfig:
        """From the variables (ConfigError names a bad one)."""
        env = os.environ if env is None else env
        common = CommonSettings.from_environ(env)
        box = ContainerSettings.from_environ(env)
        flows = FlowsSettings.from_environ(env)
        data = common.data_path
        return cls(
            db_url=flows.database_url("", data),
            files_root=flows.files_template(common.mode, data, box.docker_shared_dir),
            port=service_port(env, flows.flows_port),
            prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", PREFIX),
            run_timeout=flows.flows_run_timeout,
            max_parallel_runs=flows.flows_max_parallel_runs,
            endpoint_timeout=flows.flows_endpoint_timeout,
            endpoint_idle_seconds=flows.flows_endpoint_idle_seconds,
            schedule_check_seconds=flows.flows_schedule_check_seconds,
            memory_limit=flows.flows_memory_limit,
            engine=flows.flows_engine,
            isolation="docker" if common.mode == "docker" else flows.flows_isolation,
            network=flows.flows_network,
            max_processes=flows.flows_max_processes,
            endpoint_workers=flows.flows_endpoint_workers,
            endpoint_concurrency=flows.flows_endpoint_concurrency,
            docker_image=box.docker_image,
            docker_network=box.docker_network,
            docker_mem_limit=box.docker_mem_limit,
            docker_cpu_limit=box.docker_cpu_limit,
            http_allow=tuple(h.lower() for h in flows.flows_http_allow),
            mlflow_url=env.get(MLFLOW_URL_VARIABLE, ""),
            hub_token=env.get("JUPYTERHUB_API_TOKEN", ""),
            hub_api_url=env.get("JUPYTERHUB_API_URL", ""),
        )

    @property
    def needs_network(self) -> bool:
        return self.network == "allowed" or bool(self.http_allow)

    def plane_config(self) -> PlaneConfig:
        """What the execution plane needs of these settings."""
        return PlaneConfig(
            service="flows",
            files_root=self.files_root,
            isolation=self.isolation,
            needs_network=self.needs_network,
            max_processes=self.max_processes,
            docker_image=self.docker_image,
            docker_network=self.docker_network,
            docker_mem_limit=self.docker_mem_limit,
            docker_cpu_limit=self.docker_cpu_limit,
        )

    def files_of(self, user: str) -> Path:
        """The owner's folder: relative paths in the owner's flows start here."""
        return owner_folder(self.files_root, user)
