"""The MLflow gateway's settings, resolved from the environment the hub gives it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..kit.settings import CommonSettings, service_port
from .settings import MlflowSettings

PREFIX = "/services/mlflow/"


@dataclass(frozen=True)
class GatewayConfig:
    db_url: str
    artifacts: str  # a folder, or s3://bucket/prefix (artifact_store.py)
    home: Path  # MLflow's Python environment
    state: Path  # the gateway's folder: MLflow's auth.ini, its pid file, its log
    port: int = 8084
    prefix: str = PREFIX
    admin_group: str = "mlflow-admins"
    workers: int = 1
    start_timeout: int = 180
    # Hub services that may call as one of the hub's users (X-Galilean-Acting-For): the
    # flows service logs its runs' trainings as the flow's owner.
    acting_services: tuple[str, ...] = ("flows",)
    s3_endpoint_url: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewayConfig:
        env = os.environ if env is None else env
        data = CommonSettings.from_environ(env).data_path
        settings = MlflowSettings.from_environ(env)
        return cls(
            db_url=settings.mlflow_database_url("", data),
            artifacts=settings.mlflow_artifacts_path(data),
            home=settings.mlflow_environment(),
            state=data / "mlflow",
            port=service_port(env, settings.mlflow_port),
            prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", PREFIX),
            admin_group=settings.mlflow_admin_group,
            workers=settings.mlflow_workers,
            start_timeout=settings.mlflow_start_timeout,
            s3_endpoint_url=settings.mlflow_s3_endpoint_url,
        )

    @property
    def mlflow(self) -> Path:
        return self.home / "bin" / "mlflow"
