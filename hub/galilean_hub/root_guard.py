"""Embedded mode refuses to run as root unless the admin says they mean it.

In embedded mode every user's server is a process of the hub's own account, started with
``--allow-root`` when that account is root: each user's kernels and terminals would run as
root on this machine. Docker mode runs user code in containers and is not concerned.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .settings import ConfigError, Settings

ROOT_MESSAGE = (
    "refusing to start embedded mode as root: each user's code (kernels, terminals) would "
    "run as root on this machine. Run Galilean as an ordinary account, use docker mode "
    "(GALILEAN_MODE=docker), or set GALILEAN_ALLOW_ROOT=true (in stack.env or the "
    "environment) if you mean it"
)
ROOT_WARNING = (
    "running embedded mode as root (GALILEAN_ALLOW_ROOT=true): each user's kernels and "
    "terminals run as root on this machine"
)


def refuse_root(settings: Settings, euid: Callable[[], int] = os.geteuid) -> list[str]:
    """Raise ConfigError saying why and what to set, when embedded mode runs as root
    without GALILEAN_ALLOW_ROOT; with it, the warning to log at start."""
    if settings.mode != "embedded" or euid() != 0:
        return []
    if not settings.allow_root:
        raise ConfigError(ROOT_MESSAGE)
    return [ROOT_WARNING]
