"""The usage service's settings, resolved from the environment the hub gives it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..kit.settings import CommonSettings, service_port
from .settings import UsageSettings

PREFIX = "/services/usage/"
HEALTH_VARIABLE = "GALILEAN_USAGE_HEALTH"  # name=url,… of the services' health routes
AI_URL_VARIABLE = "GALILEAN_USAGE_AI_URL"  # the AI gateway, when there is one
FLOWS_URL_VARIABLE = "GALILEAN_USAGE_FLOWS_URL"  # the flows service
PROFILES_VARIABLE = "GALILEAN_USAGE_PROFILES"  # the profiles' names, comma-separated


@dataclass(frozen=True)
class ServiceConfig:
    db_url: str
    mode: str = "embedded"
    data: Path = Path("var")
    every: float = 30.0
    disk_every: int = 10
    retention: float = 48 * 3600.0
    hub_api: str = ""
    token: str = ""
    health: dict[str, str] = field(default_factory=dict)
    ai_url: str = ""
    flows_url: str = ""
    profiles: tuple[str, ...] = ()
    port: int = 8086
    prefix: str = PREFIX

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceConfig:
        """ConfigError names a bad variable."""
        env = os.environ if env is None else env
        common = CommonSettings.from_environ(env)
        settings = UsageSettings.from_environ(env)
        health = dict(
            item.split("=", 1) for item in env.get(HEALTH_VARIABLE, "").split(",") if "=" in item
        )
        return cls(
            db_url=settings.usage_database_url("", common.data_path),
            mode=common.mode,
            data=common.data_path,
            every=float(max(1, settings.usage_every_seconds)),
            disk_every=max(1, settings.usage_disk_every),
            retention=float(max(1, settings.usage_retention_hours) * 3600),
            hub_api=env.get("JUPYTERHUB_API_URL", "").rstrip("/"),
            token=env.get("JUPYTERHUB_API_TOKEN", ""),
            health=health,
            ai_url=env.get(AI_URL_VARIABLE, ""),
            flows_url=env.get(FLOWS_URL_VARIABLE, ""),
            profiles=tuple(n for n in env.get(PROFILES_VARIABLE, "").split(",") if n),
            port=service_port(env, settings.usage_port),
            prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", PREFIX),
        )
