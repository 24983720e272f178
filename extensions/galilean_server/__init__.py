"""Galilean's Jupyter server extension: the user-side HTTP API under /galilean/."""

from typing import Any

__version__ = "0.1.0"


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import GalileanServerApp

    return [{"module": "galilean_server", "app": GalileanServerApp}]
