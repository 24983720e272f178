"""The AI gateway's settings, resolved from the environment the hub gives it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..kit.settings import CommonSettings, service_port
from .catalogue import Catalogue
from .settings import AiSettings

PREFIX = "/services/ai/"


@dataclass(frozen=True)
class ServiceConfig:
    db_url: str
    catalogue: Catalogue
    port: int = 8085
    prefix: str = PREFIX

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceConfig:
        """ConfigError names a bad variable."""
        env = os.environ if env is None else env
        data = CommonSettings.from_environ(env).data_path
        settings = AiSettings.from_environ(env)
        return cls(
            db_url=settings.ai_database_url("", data),
            catalogue=Catalogue.from_settings(
                settings.ai_models,
                settings.ai_default_model,
                settings.ai_everyone,
                settings.ai_daily_tokens,
                settings.ai_daily_requests,
            ),
            port=service_port(env, settings.ai_port),
            prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", PREFIX),
        )
