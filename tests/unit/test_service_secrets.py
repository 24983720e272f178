"""A service's secret settings are not declared to JupyterHub, which keeps a service's
environment in its database in clear: they go to a 0600 file the service loads at start."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from galilean_hub.services import Service
from galilean_services.kit import service_secrets


def test_secret_variables_travel_in_a_file_the_service_loads(tmp_path: Path) -> None:
    service = Service(
        name="ai",
        command=["x"],
        port=8085,
        environment={
            "GALILEAN_AI_ENABLED": "true",
            "GALILEAN_AI_DB_URL": "postgresql://hub:pw-0a1b@db/hub",
            "OPENAI_API_KEY": "sk-admin-9f8e",
            "GALILEAN_CONNECTION_SALES": "postgresql://ro:pw-7c6d@db/sales",
            "OLLAMA_API_BASE": "http://10.0.0.5:11434",
        },
    )
    entry = service.hub_entry(tmp_path / "services")
    declared = entry["environment"]
    text = json.dumps(entry)
    for value in ("pw-0a1b", "sk-admin-9f8e", "pw-7c6d"):
        assert value not in text
    assert declared["GALILEAN_AI_ENABLED"] == "true"
    assert declared["OLLAMA_API_BASE"] == "http://10.0.0.5:11434"
    path = Path(declared[service_secrets.VARIABLE])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    environ = dict(declared)
    assert service_secrets.load(environ) == 3
    assert environ["OPENAI_API_KEY"] == "sk-admin-9f8e"
    assert environ["GALILEAN_AI_DB_URL"] == "postgresql://hub:pw-0a1b@db/hub"
    # Written again at the next start, atomically: no partial file is left.
    service.hub_entry(tmp_path / "services")
    assert sorted(p.name for p in path.parent.iterdir()) == ["ai.json"]


def test_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    environ = {service_secrets.VARIABLE: str(tmp_path / "gone.json")}
    with pytest.raises(RuntimeError, match="restart Galilean"):
        service_secrets.load(environ)
    assert service_secrets.load({}) == 0
