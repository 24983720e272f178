"""The datasets service on the real hub: the hub starts it and gives it its scopes; a
user's hub token reaches it through the proxy; its work runs as the owner in the execution
plane (bubblewrap where this machine has it), in the owner's folder; another user meets
404 on every route; the hub's log says how its work is isolated."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
import requests

from conftest import admin_client, approved_user, hub_fixture
from harness.client import HubClient, wait_for_service
from harness.hub import Hub

hub = hub_fixture("datasets-hub", GALILEAN_CULL_IDLE_SECONDS="0")
API = "/services/datasets/api"


def wait_ready(hub_url: str, timeout: float = 120) -> None:
    wait_for_service(hub_url, "/services/datasets/health", "the datasets service", timeout)


@pytest.fixture(scope="module")
def users(hub: Hub) -> dict[str, HubClient]:
    wait_ready(hub.url)
    admin = admin_client(hub)
    return {name: approved_user(hub, admin, name) for name in ("dora", "eli")}


def call(client: HubClient, method: str, path: str, body: Any = None) -> requests.Response:
    data = None if body is None else json.dumps(body)
    return client.api(method, API + path, data=data, allow_redirects=False)


def ok(client: HubClient, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    reply = call(client, method, path, body)
    assert reply.status_code == status, (reply.status_code, reply.text[:500])
    return reply.json()


def test_a_users_dataset_through_the_hub(hub: Hub, users: dict[str, HubClient]) -> None:
    dora, eli = users["dora"], users["eli"]
    work = hub.home_of("dora") / "photos"
    (work / "val").mkdir(parents=True)
    (work / "val" / "1.txt").write_text("one")
    dataset = ok(dora, "POST", "/datasets", {"name": "photos", "folder": "photos"}, 201)
    base = f"/datasets/{dataset['id']}"
    assert ok(dora, "POST", f"{base}/snapshots", {"message": "first"}, 201)["number"] == 1
    (work / "val" / "1.txt").write_text("changed")
    ok(dora, "POST", f"{base}/snapshots", {"message": "second"}, 201)
    changes = ok(dora, "GET", f"{base}/snapshots/2/diff?against=1")
    assert [m["path"] for m in changes["modified"]] == ["val/1.txt"]
    ok(dora, "POST", f"{base}/snapshots/1/restore", {}, 201)
    assert (work / "val" / "1.txt").read_text() == "one"
    # The store is in dora's folder, written by her worker.
    assert (hub.home_of("dora") / ".galilean" / "datasets" / "photos" / "refs.json").is_file()

    for method, path in [("GET", base), ("GET", f"{base}/snapshots"), ("POST", f"{base}/gc")]:
        assert call(eli, method, path, {}).status_code == 404, (method, path)
    assert ok(eli, "GET", "/datasets") == []

    log = hub.log()
    if shutil.which("bwrap"):
        assert "dataset operations run isolated by bubblewrap" in log
    assert "Traceback" not in log.split("datasets service on port", 1)[-1]


def test_a_dataset_folder_outside_the_users_is_refused(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    dora = users["dora"]
    (hub.home_of("eli") / "secret").mkdir(parents=True, exist_ok=True)
    reply = call(dora, "POST", "/datasets", {"name": "theirs", "folder": "../eli/secret"})
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["field"] == "folder"
