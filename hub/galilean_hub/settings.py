"""Galilean's hub settings: every variable of `stack.env`, typed and documented.

`Settings` composes the settings groups (galilean_services.kit.settings): the hub's own
(hub_settings.py) and the services' (each service's settings module), so each default and
each help text is written once, on its trait. Each trait carries the environment variable
it is read from (``env`` metadata) and its ``help`` text is the documentation
(`stack.env.example` is generated from it and checked by a test). Values come from the
process environment first, then from the `stack.env` file, then from the trait's default.
A bad value raises :class:`ConfigError` naming the variable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from galilean_services.ai_service.settings import PROVIDER_VARIABLES, AiSettings
from galilean_services.datasets_service.settings import DatasetsSettings
from galilean_services.flows_service.settings import FlowsSettings
from galilean_services.kit.settings import (
    MODES,
    CommonSettings,
    ConfigError,
    ContainerSettings,
    parse_env_file,
)
from galilean_services.mlflow_service.settings import MlflowSettings
from galilean_services.usage_service.settings import UsageSettings

from .hub_settings import (
    AccountSettings,
    ComposeSettings,
    HubDockerSettings,
    HubStackSettings,
    ServerSettings,
)

__all__ = ["MODES", "ConfigError", "Settings", "load_settings", "parse_env_file"]


class Settings(
    CommonSettings,
    HubStackSettings,
    AccountSettings,
    ServerSettings,
    FlowsSettings,
    DatasetsSettings,
    MlflowSettings,
    AiSettings,
    UsageSettings,
    ContainerSettings,
    HubDockerSettings,
    ComposeSettings,
):
    """All of Galilean's hub-side configuration: every group."""


def load_settings(environ: Mapping[str, str] | None = None) -> tuple[Settings, list[str]]:
    """Settings from the environment over `stack.env`; returns them and warnings to log.

    The file is `GALILEAN_ENV_FILE` (default `stack.env` in the working directory).
    Variables found in the file but not in the environment are also exported, so
    that other parts of the hub (and its services) see the same values.
    """
    env = dict(os.environ if environ is None else environ)
    warnings: list[str] = []
    env_file = Path(env.get("GALILEAN_ENV_FILE", "stack.env"))
    if env_file.is_file():
        mode = env_file.stat().st_mode
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            warnings.append(
                f"{env_file} is readable by other users and holds secrets: chmod 600 {env_file}"
            )
        for key, value in parse_env_file(env_file).items():
            env.setdefault(key, value)
            if environ is None:
                os.environ.setdefault(key, value)
    elif "GALILEAN_ENV_FILE" in env:
        raise ConfigError(
            f"GALILEAN_ENV_FILE={str(env_file)!r} does not exist: set it to your stack.env"
        )
    settings = Settings.from_environ(env)
    passed = sorted(set(settings.user_env_keep) & set(PROVIDER_VARIABLES))
    if passed:
        warnings.append(
            f"GALILEAN_USER_ENV_KEEP passes {', '.join(passed)} to every user server: the AI "
            "gateway keeps the providers' keys, users need none; remove them from it"
        )
    return settings, warnings
