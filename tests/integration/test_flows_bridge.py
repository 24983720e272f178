"""The designer's bridge on the real hub: a user's own server forwards to the real flows
service with its hub token (GALILEAN_FLOWS_URL and the token's scopes come from the hub),
so the service sees the server's owner. Save, run and poll to the end with per-node rows,
no new version for unchanged content, versions / diff / restore, endpoint, schedule and
its preview; another user reaches neither the bridge nor the flows; bad input is a 400
naming the field. One user server for the module."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flows_api import Flows, inline_flow, wait_ready

from conftest import admin_client, approved_user, hub_fixture
from harness.client import HubClient
from harness.hub import Hub

hub = hub_fixture("bridge-hub")
PATH = "flows/numbers.flow"
BRIDGE = "/user/hal/galilean/flows/service"


@pytest.fixture(scope="module")
def users(hub: Hub) -> Iterator[dict[str, HubClient]]:
    wait_ready(hub.url)
    admin = admin_client(hub)
    people = {name: approved_user(hub, admin, name) for name in ("hal", "ivy")}
    people["admin"] = admin
    people["hal"].start_server()
    try:
        yield people
    finally:
        people["hal"].stop_server()


def call(client: HubClient, method: str, path: str, body: Any = None) -> requests.Response:
    data = None if body is None else json.dumps(body)
    return client.api(method, f"{BRIDGE}/{path}", data=data, allow_redirects=False)


def ok(client: HubClient, method: str, path: str, body: Any = None) -> Any:
    reply = call(client, method, path, body)
    assert reply.status_code == 200, (reply.status_code, reply.text[:500])
    return reply.json()


def finished(hal: HubClient, run_id: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ok(hal, "GET", f"runs/{run_id}")
        if run["status"] in ("succeeded", "failed", "cancelled"):
            return dict(run)
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def test_save_run_and_rerun_as_the_servers_owner(users: dict[str, HubClient]) -> None:
    hal = users["hal"]
    assert ok(hal, "GET", f"flow?path={PATH}")["flow"] is None
    saved = ok(hal, "POST", "save", {"path": PATH, "content": inline_flow()})
    assert (saved["version"], saved["new_version"]) == (1, True)
    body = {"path": PATH, "content": inline_flow(), "params": {"least": 2}}
    started = ok(hal, "POST", "run", body)
    assert (started["version"], started["new_version"]) == (1, False)
    run = finished(hal, started["run"]["id"])
    assert run["status"] == "succeeded", run
    assert run["caller"] == "hal"
    assert run["nodes"]["big"] == {"rows_in": 2, "rows_out": 1}
    changed = inline_flow(description="only the big ones")
    body = {"path": PATH, "content": changed, "targets": ["big"], "message": "bigger"}
    again = ok(hal, "POST", "run", body)
    assert (again["version"], again["new_version"]) == (2, True)
    assert finished(hal, again["run"]["id"])["status"] == "succeeded"
    state = ok(hal, "GET", f"flow?path={PATH}")
    assert state["flow"]["owner"] == "hal"
    assert [(v["number"], v["author"]) for v in state["versions"]] == [(2, "hal"), (1, "hal")]
    assert state["versions"][0]["message"] == "bigger"
    assert [r["id"] for r in state["runs"]] == [again["run"]["id"], started["run"]["id"]]
    assert state["service_url"] == "/services/flows/"


def test_versions_endpoint_and_schedule_through_the_bridge(users: dict[str, HubClient]) -> None:
    hal = users["hal"]
    path = "diffed.flow"
    ok(hal, "POST", "save", {"path": path, "content": inline_flow()})
    ok(hal, "POST", "save", {"path": path, "content": inline_flow(description="v2")})
    assert ok(hal, "GET", f"versions/1?path={path}")["content"]["description"] == ""
    diff = ok(hal, "GET", f"versions/2/diff?path={path}&against=1")
    assert (diff["from"], diff["to"]) == (1, 2)
    restored = ok(hal, "POST", f"versions/1/restore?path={path}")
    assert restored["number"] == 3
    published = ok(hal, "PUT", f"endpoint?path={path}", {"name": "hal-numbers"})
    assert published["name"] == "hal-numbers"
    schedule = ok(hal, "PUT", f"schedule?path={path}", {"cron": "0 6 * * *", "enabled": False})
    assert schedule["cron"] == "0 6 * * *"
    state = ok(hal, "GET", f"flow?path={path}")
    assert state["endpoint"]["name"] == "hal-numbers"
    assert state["schedule"]["cron"] == "0 6 * * *"
    preview = ok(hal, "POST", "schedule-preview", {"cron": "0 6 * * *"})
    assert len(preview["next"]) == 5


def test_another_user_reaches_neither_the_bridge_nor_the_flows(
    users: dict[str, HubClient],
) -> None:
    hal, ivy = users["hal"], users["ivy"]
    ok(hal, "POST", "save", {"path": "private.flow", "content": inline_flow()})
    refused = call(ivy, "GET", "flow?path=private.flow")
    assert refused.status_code == 403, refused.text[:300]
    assert "private.flow" not in refused.text
    # A guest of a shared workspace is refused by its bridges (it would act as the
    # owner): tests/integration/test_sharing_hub.py, where workspaces are shared the way
    # users share them (JupyterHub's own share routes refuse to grant).
    # What ivy's own server would see with ivy's token: none of hal's flows.
    names = {f["name"] for f in Flows.of(ivy).ok("GET", "/api/flows")}
    assert "private.flow" not in names
    assert PATH not in names


def test_bad_input_is_a_400_naming_the_field(users: dict[str, HubClient]) -> None:
    hal = users["hal"]
    for body, field in [
        ({"path": "../../etc/x.flow", "content": inline_flow()}, "path"),
        ({"path": "x.flow", "content": [1]}, "content"),
        ({"path": "x.flow", "content": inline_flow(), "targets": "big"}, "targets"),
    ]:
        reply = call(hal, "POST", "run", body)
        assert reply.status_code == 400, reply.text
        assert reply.json()["errors"] == [{"field": field}]
    missing = call(hal, "GET", "versions/1?path=never.flow")
    assert missing.status_code == 404
    assert missing.json()["errors"] == [{"field": "path"}]
