"""The datasets service's settings, resolved from the environment the hub gives it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..execution.config import PlaneConfig
from ..folders import owner_folder
from ..kit.settings import CommonSettings, ContainerSettings, service_port
from .settings import DatasetsSettings

_SETTINGS = DatasetsSettings()
_BOX = ContainerSettings()
PREFIX = "/services/datasets/"


@dataclass(frozen=True)
class ServiceConfig:
    db_url: str
    files_root: str  # a folder per user: contains "{user}" (folders.USER)
    port: int = _SETTINGS.datasets_port
    prefix: str = PREFIX
    isolation: str = _SETTINGS.datasets_isolation
    operation_timeout: int = _SETTINGS.datasets_operation_timeout
    docker_image: str = _BOX.docker_image
    docker_network: str = _BOX.docker_network
    docker_mem_limit: str = _BOX.docker_mem_limit
    docker_cpu_limit: float = _BOX.docker_cpu_limit

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceConfig:
        env = os.environ if env is None else env
        common = CommonSettings.from_environ(env)
        box = ContainerSettings.from_environ(env)
        settings = DatasetsSettings.from_environ(env)
        data = common.data_path
        return cls(
            db_url=settings.datasets_database_url("", data),
            files_root=settings.datasets_files_template(common.mode, data, box.docker_shared_dir),
            port=service_port(env, settings.datasets_port),
            prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", PREFIX),
            isolation="docker" if common.mode == "docker" else settings.datasets_isolation,
            operation_timeout=settings.datasets_operation_timeout,
            docker_image=box.docker_image,
            docker_network=box.docker_network,
            docker_mem_limit=box.docker_mem_limit,
            docker_cpu_limit=box.docker_cpu_limit,
        )

    def plane_config(self) -> PlaneConfig:
        """Dataset work never needs the network."""
        return PlaneConfig(
            service="datasets",
            files_root=self.files_root,
            isolation=self.isolation,
            needs_network=False,
            subject="dataset operations",
            docker_image=self.docker_image,
            docker_network=self.docker_network,
            docker_mem_limit=self.docker_mem_limit,
            docker_cpu_limit=self.docker_cpu_limit,
        )

    def files_of(self, user: str) -> Path:
        return owner_folder(self.files_root, user)
