"""The idle culler, a hub-managed service, stops idle servers (default and named alike) but
those an admin pinned on the usage dashboard; the dashboard (the usage service) measures
running workspaces, keeps the culler's decisions, stops workspaces, and is for admins only."""

from __future__ import annotations

from typing import Any

import psutil

from conftest import admin_client, approved_user, hub_fixture
from harness.hub import Hub
from harness.processes import wait_until

IDLE_SECONDS = 10
USAGE = "/services/usage/"

hub = hub_fixture(
    "cull-hub",
    GALILEAN_CULL_IDLE_SECONDS=str(IDLE_SECONDS),
    GALILEAN_CULL_EVERY_SECONDS="1",
    GALILEAN_USAGE_EVERY_SECONDS="1",
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


def tree_rss(process: psutil.Process) -> int:
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


def test_the_dashboard_measures_pins_stops_and_logs(hub: Hub) -> None:
    admin = admin_client(hub)
    eve = approved_user(hub, admin, "eve")
    eve.start_server("kept")
    pinned = admin.api("PUT", f"{USAGE}api/pins", json={"user": "eve", "server": "kept"})
    assert pinned.status_code == 200, pinned.text
    eve.start_server("")
    # The home workspace is culled; the pinned one stays, past the idle time.
    eve.wait_server("", ready=False, timeout=IDLE_SECONDS + 60)
    state = eve.server_state("kept")
    assert state is not None
    assert state["ready"]

    def summary() -> dict[str, Any]:
        reply = admin.api("GET", f"{USAGE}api/summary")
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def events() -> set[tuple[str, str]]:
        return {(e["kind"], e["server"]) for e in summary()["events"] if e["user"] == "eve"}

    wait_until(lambda: ("kept-pinned", "kept") in events(), 60, "the pin's event")
    assert ("culled", "") in events()

    # Measured: the dashboard's memory agrees with the process tree's own within 10%.
    def kept() -> dict[str, Any]:
        (row,) = [w for w in summary()["workspaces"] if (w["user"], w["server"]) == ("eve", "kept")]
        return dict(row)

    wait_until(lambda: kept()["disk"] is not None, 60, "a measurement with the disk")
    row = kept()
    own = tree_rss(hub.server_process("eve", "kept"))
    assert abs(row["memory"] - own) <= 0.1 * own, (row["memory"], own)
    assert row["pinned"]
    assert row["series"]
    assert row["disk"] > 0
    assert {"datasets", "flows"} <= {s["name"] for s in summary()["services"]}
    assert all(s["ok"] for s in summary()["services"]), summary()["services"]
    assert summary()["ai"]["ok"], summary()["ai"]  # the gateway lets the dashboard read
    assert summary()["flows"]["ok"], summary()["flows"]  # and the flows service
    assert summary()["flows"]["data"]["runs"] == []
    page = admin.api("GET", USAGE)
    assert page.status_code == 200
    assert 'data-user="eve" data-server="kept"' in page.text

    # For admins only; bad requests name the field or the workspace.
    assert eve.api("GET", f"{USAGE}api/summary").status_code == 403
    refused = eve.api("POST", f"{USAGE}api/stop", json={"user": "eve", "server": "kept"})
    assert refused.status_code == 403
    missing = admin.api("PUT", f"{USAGE}api/pins", json={"server": "kept"})
    assert missing.status_code == 400
    assert "user" in missing.json()["error"]
    unknown = admin.api("POST", f"{USAGE}api/stop", json={"user": "eve", "server": "nope"})
    assert unknown.status_code == 404
    assert "eve/nope" in unknown.json()["error"]

    stopped = admin.api("POST", f"{USAGE}api/stop", json={"user": "eve", "server": "kept"})
    assert stopped.status_code == 202, stopped.text
    eve.wait_server("kept", ready=False, timeout=60)
    assert ("stopped-by-admin", "kept") in events()
    assert "Traceback" not in hub.log()
