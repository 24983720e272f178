"""Workspaces: the default server and named ones start, answer, keep their files apart, stop."""

from __future__ import annotations

import json

import pytest

from conftest import admin_client, approved_user, assert_extensions_loaded, hub_fixture
from galilean_services.folders import users_root, workspace_folder
from harness.client import HubClient
from harness.hub import Hub

MAX_WORKSPACES = 3


hub = hub_fixture("spawn-hub", GALILEAN_MAX_WORKSPACES=str(MAX_WORKSPACES))


@pytest.fixture(scope="module")
def alice(hub: Hub) -> HubClient:
    return approved_user(hub, admin_client(hub), "alice")


def test_default_server_starts_answers_and_stops(hub: Hub, alice: HubClient) -> None:
    alice.start_server()
    status = alice.api("GET", f"{alice.server_url()}api/status")
    assert status.status_code == 200, status.text

    galilean = alice.api("GET", f"{alice.server_url()}galilean/status")
    assert galilean.status_code == 200, galilean.text
    body = galilean.json()
    assert body["ok"] is True
    assert body["mode"] == "embedded"
    features = {f["name"]: f for f in body["features"]}
    for name in (
        "sql",
        "connections",
        "query_builder",
        "tables",
        "flows",
        "secrets",
        "collaboration",
        "workspaces",
    ):
        assert features[name]["available"], features[name]
    # No model key in this hub's environment: the AI chat says so, and how to enable it.
    assert not features["ai"]["available"]
    assert "stack.env" in json.dumps(features["ai"])

    # Real-time collaboration and the AI chat load together; the MCP server does not.
    assert_extensions_loaded(hub.log())

    lab = alice.api("GET", f"{alice.server_url()}lab")
    assert lab.status_code == 200
    assert "@galilean/labextension" in lab.text

    alice.stop_server()
    assert not alice.server_state()["ready"]  # type: ignore[index]


def test_named_workspaces_keep_their_files_apart(hub: Hub, alice: HubClient) -> None:
    alice.start_server("one")
    alice.start_server("two")
    one, two = alice.server_url("one"), alice.server_url("two")
    assert alice.api("GET", f"{one}galilean/status").json()["ok"] is True

    written = alice.api(
        "PUT",
        f"{one}api/contents/only-in-one.txt",
        json={"type": "file", "format": "text", "content": "workspace one"},
    )
    assert written.status_code == 201, written.text
    assert alice.api("GET", f"{one}api/contents/only-in-one.txt").json()["content"] == (
        "workspace one"
    )
    assert alice.api("GET", f"{two}api/contents/only-in-one.txt").status_code == 404
    assert alice.api("GET", f"{two}api/contents/..%2Fone").status_code in (400, 403, 404)

    root = users_root(hub.data_dir)
    assert (workspace_folder(root, "alice", "one") / "only-in-one.txt").read_text() == (
        "workspace one"
    )
    assert not (workspace_folder(root, "alice", "two") / "only-in-one.txt").exists()

    alice.stop_server("one")
    alice.stop_server("two")
    servers = alice.user_model()["servers"]
    assert {"one", "two"} <= set(servers)


def test_workspace_limit_is_enforced(hub: Hub, alice: HubClient) -> None:
    limit = MAX_WORKSPACES
    existing = [name for name in alice.user_model()["servers"] if name]
    for index in range(limit - len(existing)):
        created = alice.api("POST", f"/users/alice/servers/extra{index}")
        assert created.status_code in (201, 202), created.text
        alice.wait_server(f"extra{index}", ready=True, timeout=180)
        alice.stop_server(f"extra{index}")
    refused = alice.api("POST", "/users/alice/servers/one-too-many")
    assert refused.status_code == 400
    assert "maximum" in refused.json()["message"]


def test_user_cannot_reach_another_users_server(hub: Hub, alice: HubClient) -> None:
    bob = approved_user(hub, admin_client(hub), "bob")
    alice.start_server()
    try:
        seen = bob.api("GET", f"{alice.server_url()}api/contents", allow_redirects=False)
        assert seen.status_code in (302, 403)
        started = bob.api("POST", "/users/alice/server")
        assert started.status_code in (403, 404)  # the hub hides what a user may not see
    finally:
        alice.stop_server()
