"""Write stack.env.example from the settings' own help (`python -m galilean_hub.example`)."""

from __future__ import annotations

import sys
import textwrap
from typing import Any

from .settings import Settings

GROUPS = {
    "stack": "The stack",
    "accounts": "Accounts and sign-in",
    "servers": "Workspaces and servers",
    "flows": "Flows service (runs, schedules, published endpoints)",
    "datasets": "Datasets service (snapshots, diff, restore)",
    "mlflow": "MLflow service (experiment tracking behind the hub login)",
    "ai": "AI gateway (models, the providers' keys, budgets)",
    "usage": "Usage dashboard (admins: running workspaces, culling, services' health)",
    "docker": "Docker mode (user containers)",
    "compose": "The compose stack (read by docker compose, not by the hub)",
}
HEADER = """\
# Galilean settings. Copy to stack.env, `chmod 600 stack.env` (it holds secrets), edit.
# Embedded mode (`make run`) needs none of them. REQUIRED(docker) marks what docker mode
# needs; generate secrets with `openssl rand -hex 32`. The real environment wins over this
# file; GALILEAN_ENV_FILE names another file. Made by `python -m galilean_hub.example`.
"""
AFTER = {
    "GALILEAN_AI_MODELS": [
        "# The providers' keys and addresses (secrets: only in stack.env, never in the",
        "# repository), given to the AI gateway; GALILEAN_USER_ENV_KEEP also passes those it",
        "# lists to user servers.",
        "# OPENAI_API_KEY=",
        "# OPENAI_API_BASE=",
        "# ANTHROPIC_API_KEY=",
        "# AZURE_API_KEY=",
        "# AZURE_API_BASE=",
        "# AZURE_API_VERSION=",
        "# OLLAMA_API_BASE=http://127.0.0.1:11434",
    ],
    "GALILEAN_USER_ENV_KEEP": [
        "# Shared SQL connections, read-only for every user and their flows (users can read",
        "# these credentials): GALILEAN_CONNECTION_<NAME>=<SQLAlchemy URL>, e.g.",
        "# GALILEAN_CONNECTION_WAREHOUSE=postgresql+psycopg://reader:PASSWORD@db:5432/warehouse",
    ],
}


def show_default(trait: Any) -> str:
    value = trait.default()
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render() -> str:
    lines = [HEADER]
    traits = Settings.env_traits()
    for group, title in GROUPS.items():
        lines.append(f"# --- {title} " + "-" * max(3, 84 - len(title)))
        for var, trait in sorted(traits.items()):
            if trait.metadata["group"] != group:
                continue
            required = trait.metadata["required_in"]
            text = (f"REQUIRED({required}) " if required else "") + (trait.help or "")
            lines += ["# " + line for line in textwrap.wrap(text, 86)]
            lines.append(f"{var}={show_default(trait)}")
            lines += AFTER.get(var, [])
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
