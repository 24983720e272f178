"""The idle culler, a hub-managed service, stops idle servers: default and named alike."""

from __future__ import annotations

from conftest import admin_client, approved_user, hub_fixture
from harness.hub import Hub

IDLE_SECONDS = 10


hub = hub_fixture(
    "cull-hub", GALILEAN_CULL_IDLE_SECONDS=str(IDLE_SECONDS), GALILEAN_CULL_EVERY_SECONDS="1"
)


def test_idle_servers_are_culled(hub: Hub) -> None:
    dora = approved_user(hub, admin_client(hub), "dora")
    for server in ("", "lab2"):  # started together
        dora.begin_server(server)
    for server in ("", "lab2"):
        dora.wait_server(server, ready=True, timeout=180)
    # Nobody asks them to stop: only the culler can.
    dora.wait_server("", ready=False, timeout=IDLE_SECONDS + 60)
    dora.wait_server("lab2", ready=False, timeout=IDLE_SECONDS + 60)
    log = hub.log()
    assert "Culling server dora (inactive for" in log
    assert "Culling server dora/lab2 (inactive for" in log
    # Culled, not removed: the workspace is still listed and can start again.
    assert "lab2" in dora.user_model()["servers"]
