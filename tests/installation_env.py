"""Settings of an embedded installation for tests that run Galilean's commands in process
(backups): its data folder, an empty stack.env beside it (0600), and any other variable."""

from __future__ import annotations

from pathlib import Path

import pytest


def embedded_installation(
    monkeypatch: pytest.MonkeyPatch, data: Path, env_text: str = "", **variables: str
) -> Path:
    """Point the settings at `data`; returns the stack.env written beside it."""
    data.parent.mkdir(parents=True, exist_ok=True)
    env = data.parent / "stack.env"
    env.write_text(env_text)
    env.chmod(0o600)
    settings = {
        "GALILEAN_DATA_DIR": str(data),
        "GALILEAN_ENV_FILE": str(env),
        "GALILEAN_MODE": "embedded",
        **variables,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return env
