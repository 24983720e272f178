"""Which Galilean features this server can offer, and why not when it cannot.

A feature is available when the packages it needs import here. Later issues add
their features to `FEATURES`; the labextension's about panel lists them all.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from . import __version__


@dataclass(frozen=True)
class Feature:
    name: str
    title: str
    modules: tuple[str, ...]

    def status(self) -> dict[str, Any]:
        missing = [m for m in self.modules if importlib.util.find_spec(m) is None]
        return {
            "name": self.name,
            "title": self.title,
            "available": not missing,
            "reason": f"not installed: {', '.join(missing)}" if missing else "",
        }


FEATURES: tuple[Feature, ...] = (
    Feature("lab", "JupyterLab", ("jupyterlab",)),
    Feature("collaboration", "Real-time collaboration", ("jupyter_collaboration",)),
    Feature("ai", "AI chat (jupyter-ai)", ("jupyter_ai_jupyternaut",)),
    Feature("sql", "SQL in notebooks (jupysql, DuckDB)", ("sql", "duckdb")),
    Feature("tables", "Interactive DataFrame tables", ("itables", "pandas")),
    Feature("profiling", "DataFrame profiling", ("ydata_profiling",)),
)


def platform_status(mode: str) -> dict[str, Any]:
    """What the status endpoint answers."""
    return {
        "ok": True,
        "name": "Galilean",
        "version": __version__,
        "mode": mode,
        "features": [feature.status() for feature in FEATURES],
    }
