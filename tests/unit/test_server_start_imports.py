"""What a user server's start pays for Galilean: the hub disables the AI chat's heavy
extensions at start and the server extension loads the same ones later, and importing the
server extension does not import what its first requests need (SQLAlchemy, sqlglot, the
ACP protocol's models: ~0.4 s of every start, measured in issue 17)."""

from __future__ import annotations

import subprocess
import sys

from galilean_hub.config import AI_CHAT_ARGS, DEFERRED_EXTENSIONS
from galilean_server.deferred_extensions import DEFERRED


def test_the_hub_disables_what_the_server_extension_loads_later() -> None:
    assert DEFERRED_EXTENSIONS == DEFERRED
    for name in DEFERRED:
        assert f"--ServerApp.jpserver_extensions={name}=False" in AI_CHAT_ARGS


def test_importing_the_server_extension_leaves_the_heavy_modules_for_later() -> None:
    # A fresh interpreter: this one has imported everything already.
    probe = (
        "import sys, galilean_server, galilean_server.app\n"
        "galilean_server._jupyter_server_extension_points()\n"
        "print(' '.join(m for m in ('sqlalchemy', 'sqlglot', 'acp', 'litellm', 'duckdb',"
        " 'polars', 'pandas') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == []
