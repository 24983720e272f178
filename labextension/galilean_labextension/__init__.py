"""Galilean's prebuilt JupyterLab extension (the assets live in ./labextension)."""

from typing import Any


def _jupyter_labextension_paths() -> list[dict[str, Any]]:
    return [{"src": "labextension", "dest": "@galilean/labextension"}]
