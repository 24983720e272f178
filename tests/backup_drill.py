"""The backup drill's pieces both modes share: the backup command run as an admin runs it
(the hub's settings, its folder), and the wipe of a hub's PostgreSQL databases."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from harness.client import HubClient
from harness.hub import Hub


def backup_command(
    hub: Hub, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m galilean_hub.backup …` with the hub's settings (and `env` over them)."""
    return subprocess.run(
        [sys.executable, "-m", "galilean_hub.backup", *args],
        env={**hub.env, **(env or {})},
        cwd=hub.workdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def drop_database(url: str) -> None:
    """The database gone, as on a new machine's server (its connections ended)."""
    name = make_url(url).database
    maintenance = make_url(url).set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def workspace_with_a_file(user: HubClient, server: str, content: str) -> None:
    """The user's workspace started, holding `kept.txt` (written through its server)."""
    user.start_server(server)
    put = user.api(
        "PUT",
        f"{user.server_url(server)}api/contents/kept.txt",
        json={"type": "file", "format": "text", "content": content},
    )
    put.raise_for_status()
