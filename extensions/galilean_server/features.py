"""Which Galilean features this server offers, each with its true state, a line on how to
use it, how to enable it when it is not set up, and what opens it (a JupyterLab command
or a page of the hub) — what the About Galilean panel and GET /galilean/status show.

A feature is available when the packages it needs import here and what it runs on is
there: the hub (workspaces, flows service), a loaded server extension (collaboration), a
configured model and provider (AI chat, ai_setup.py).

Features register themselves: Galilean's own below with `register_feature(Feature(...))`,
a later one (in this package or another) the same way, or through the
`galilean.features` entry point naming its Feature. They are shown in registration order.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from . import __version__
from .ai_setup import ai_setup

REINSTALL = "Reinstall Galilean's user image (or environment): it ships {}."


@dataclass(frozen=True)
class Context:
    """What the checks look at: the server's environment, its loaded server extensions,
    and Jupyternaut's config manager (None when jupyter-ai is not loaded)."""

    environ: Mapping[str, str]
    extensions: frozenset[str]
    ai_config: Any | None = None

    @property
    def under_hub(self) -> bool:
        return bool(self.environ.get("JUPYTERHUB_API_URL"))


@dataclass(frozen=True)
class Feature:
    name: str
    title: str
    usage: str
    modules: tuple[str, ...] = ()
    command: str = ""  # a JupyterLab command that opens it
    url: str = ""  # or a page (relative to the hub's base URL), opened in a new tab
    check: Callable[[Context], tuple[str, str]] | None = field(default=None, compare=False)

    def status(self, context: Context) -> dict[str, Any]:
        missing = [m for m in self.modules if importlib.util.find_spec(m) is None]
        if missing:
            reason = f"not installed: {', '.join(missing)}"
            enable = REINSTALL.format(", ".join(missing))
        else:
            reason, enable = self.check(context) if self.check else ("", "")
        return {
            "name": self.name,
            "title": self.title,
            "available": not reason,
            "reason": reason,
            "usage": self.usage,
            "enable": enable,
            "command": self.command,
            "url": self.url,
        }


def _hub(what: str) -> Callable[[Context], tuple[str, str]]:
    def check(context: Context) -> tuple[str, str]:
        if context.under_hub:
            return "", ""
        return f"{what} runs with the Galilean hub", "Open JupyterLab from the Galilean hub."

    return check


def _flows(context: Context) -> tuple[str, str]:
    reason, enable = _hub("the flows service")(context)
    if reason:
        return reason, enable
    if shutil.which("galilean", path=context.environ.get("PATH")) is None:
        return "the galilean command is not on PATH", REINSTALL.format("galilean-services")
    return "", ""


def _mlflow(context: Context) -> tuple[str, str]:
    reason, enable = _hub("MLflow")(context)
    if reason:
        return reason, enable
    if not context.environ.get("MLFLOW_TRACKING_URI"):
        return (
            "the hub runs no MLflow service",
            "The administrator sets GALILEAN_MLFLOW_ENABLED=true in stack.env.",
        )
    return "", ""


def _collaboration(context: Context) -> tuple[str, str]:
    # jupyter-collaboration 3 serves documents from its jupyter_server_ydoc extension.
    if {"jupyter_collaboration", "jupyter_server_ydoc"} & context.extensions:
        return "", ""
    return (
        "the jupyter_collaboration server extension is not enabled",
        "The administrator enables it: jupyter server extension enable jupyter_collaboration.",
    )


def _ai(context: Context) -> tuple[str, str]:
    setup = ai_setup(context.environ, context.ai_config)
    return setup.reason, setup.enable


ENTRY_POINT_GROUP = "galilean.features"
_registered: list[Feature] = []
_entry_points_loaded = False


def register_feature(feature: Feature) -> None:
    """Show `feature` in the About Galilean panel and GET /galilean/status, after those
    registered before it."""
    if any(f.name == feature.name for f in _registered):
        raise ValueError(f"feature {feature.name!r} is registered twice")
    _registered.append(feature)


def features() -> tuple[Feature, ...]:
    """Every registered feature: Galilean's own, then those of installed packages."""
    global _entry_points_loaded
    if not _entry_points_loaded:
        _entry_points_loaded = True
        for point in entry_points(group=ENTRY_POINT_GROUP):
            register_feature(point.load())
    return tuple(_registered)


BUILTIN: tuple[Feature, ...] = (
    Feature(
        "sql",
        "SQL cells",
        "Turn a code cell into SQL with the SQL toggle in its toolbar; the result is a "
        "DataFrame in the kernel. The built-in duckdb connection reads your DataFrames.",
        ("duckdb", "sqlalchemy", "pandas"),
        command="galilean:new-sql-notebook",
    ),
    Feature(
        "connections",
        "Connections & schema browser",
        "Add PostgreSQL, MySQL/MariaDB, SQLite or DuckDB connections in the Databases "
        "sidebar; browse schemas and click a table to query it.",
        ("sqlalchemy",),
        command="galilean:open-schema-browser",
    ),
    Feature(
        "query_builder",
        "Query builder",
        "In the Databases sidebar, open 'query builder' on a connection: pick tables, "
        "joins and filters; it writes the SQL into a SQL cell.",
        ("sqlglot", "sqlalchemy"),
        command="galilean:open-schema-browser",
    ),
    Feature(
        "tables",
        "Interactive tables (export, profile)",
        "A DataFrame shown in a notebook is a table you can sort, filter, profile and "
        "export (CSV, Parquet, Excel).",
        ("pandas", "pyarrow"),
        command="galilean:new-sql-notebook",
    ),
    Feature(
        "flows",
        "Flows (service and galilean CLI)",
        "Data pipelines in YAML: run them with `galilean flow run` in a terminal or on the "
        "flows service page; examples are in examples/flows.",
        ("galilean_services",),
        url="services/flows/",
        check=_flows,
    ),
    Feature(
        "mlflow",
        "MLflow experiment tracking",
        "`import mlflow; mlflow.start_run()` in a notebook logs to the hub's MLflow as you "
        "(your experiments are yours until you share them); open MLflow from the launcher.",
        ("mlflow",),
        command="galilean:open-mlflow",
        check=_mlflow,
    ),
    Feature(
        "secrets",
        "Secrets",
        "Keep passwords and API keys in the Secrets panel (left sidebar): encrypted by the "
        "hub, never shown again once saved; your code reads one with "
        '`from galilean_server.kernel.api import secrets; secrets.get("NAME")`.',
        ("requests",),
        command="galilean:open-secrets",
        check=_hub("the secret vault"),
    ),
    Feature(
        "collaboration",
        "Real-time collaboration",
        "Share this workspace with people the admin lets in: you edit the same notebooks "
        "together and see each other's cursors.",
        ("jupyter_collaboration",),
        check=_collaboration,
    ),
    Feature(
        "ai",
        "AI chat",
        "Ask Jupyternaut in the chat panel (left sidebar) about your code and data.",
        ("jupyter_ai_jupyternaut",),
        command="galilean:open-ai-chat",
        check=_ai,
    ),
    Feature(
        "workspaces",
        "Workspaces",
        "Keep separate projects in separate workspaces, each with its own server; start, "
        "stop and create them on the hub's home page.",
        url="hub/home",
        check=_hub("workspaces"),
    ),
)
for _feature in BUILTIN:
    register_feature(_feature)


def workspace(environ: Mapping[str, str]) -> dict[str, str]:
    """Which workspace this server is: its name (empty for the default one) and the title
    the user gave it (the hub passes both; JupyterHub's server name otherwise)."""
    name = environ.get("GALILEAN_WORKSPACE", environ.get("JUPYTERHUB_SERVER_NAME", ""))
    default = "Default" if environ.get("JUPYTERHUB_API_URL") else ""
    title = environ.get("GALILEAN_WORKSPACE_TITLE") or name or default
    return {"name": name, "title": title}


def platform_status(mode: str, context: Context | None = None) -> dict[str, Any]:
    """What the status endpoint answers."""
    context = context or Context(os.environ, frozenset())
    return {
        "ok": True,
        "name": "Galilean",
        "version": __version__,
        "mode": mode,
        "workspace": workspace(context.environ),
        "features": [feature.status(context) for feature in features()],
    }
