"""The Datasets panel's bridge (galilean_server/datasets_bridge.py) in-process: the
extension's routes forwarding to the real datasets service application (tests/
datasets_app.py, with real workers) with the server owner's token. A folder in the file
browser becomes the service's folder; snapshots, diff and restore pass through; only the
owner may call; the service's errors keep their status and shape; a path outside the
folder the service sees is a 400 naming path; the service unreachable is 503."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from datasets_app import Service
from extension_server import Served, manager_for, serve

from galilean_server.base import OWNER
from galilean_server.datasets_bridge import UPSTREAM
from galilean_server.flows_bridge import PLACES, Places
from galilean_server.service_upstream import Upstream

BASE = "/galilean/datasets/service"


def bridge_of(url: str, token: str, owner: str, root: Path, seen: Path) -> Any:
    upstream = Upstream(url, token, service="datasets", timeout=30)
    return serve(
        manager_for(root), **{UPSTREAM: upstream, OWNER: owner, PLACES: Places(root, seen)}
    )


@pytest.fixture(scope="module")
def alice(datasets_app: Service) -> Iterator[Served]:
    home = datasets_app.folder_of("alice")
    with bridge_of(datasets_app.url, "alice-token", "alice", home, home) as served:
        yield served


def call(
    served: Served, method: str, path: str, body: Any = None, user: str = "alice"
) -> requests.Response:
    return served.call(method, BASE + path, body, user=user)


def ok(served: Served, method: str, path: str, body: Any = None) -> Any:
    reply = call(served, method, path, body)
    assert reply.status_code == 200, (reply.status_code, reply.text)
    assert "alice-token" not in reply.text
    return reply.json()


def test_a_dataset_through_the_bridge(datasets_app: Service, alice: Served) -> None:
    work = datasets_app.folder_of("alice") / "bridged" / "images"
    work.mkdir(parents=True)
    (work / "one.txt").write_text("1")
    made = ok(alice, "POST", "/datasets", {"name": "bridged", "path": "bridged/images"})
    assert made["folder"] == "bridged/images"
    base = f"/datasets/{made['id']}"
    assert ok(alice, "POST", f"{base}/snapshots", {"message": "one"})["number"] == 1
    (work / "two.txt").write_text("2")
    ok(alice, "POST", f"{base}/snapshots", {"message": "two"})
    assert ok(alice, "GET", f"{base}/snapshots/2/diff?against=1")["added"] == ["two.txt"]
    ok(alice, "POST", f"{base}/snapshots/1/restore")
    assert not (work / "two.txt").exists()
    assert [s["number"] for s in ok(alice, "GET", f"{base}/snapshots")] == [1, 2, 3]
    assert ok(alice, "GET", base)["head"]["number"] == 3
    assert made["id"] in [d["id"] for d in ok(alice, "GET", "/datasets")]


def test_items_stats_edits_export_and_jobs_pass_through(
    datasets_app: Service, alice: Served
) -> None:
    from labelled_images import ITEMS, make_labelled

    make_labelled(datasets_app.folder_of("alice") / "bridged-pets", "yolo")
    made = ok(alice, "POST", "/datasets", {"name": "bridged-pets", "path": "bridged-pets"})
    base = f"/datasets/{made['id']}"
    ok(alice, "POST", f"{base}/snapshots", {"message": "one"})
    page = ok(alice, "GET", f"{base}/items?split=val&thumbnails=32")
    assert page["total"] == sum(1 for item in ITEMS if item[0] == "val")
    assert page["items"][0]["thumbnail"].startswith("data:image/jpeg;base64,")
    assert ok(alice, "GET", f"{base}/stats")["images"]  # per split and class
    moved = ok(
        alice,
        "POST",
        f"{base}/edits",
        {"edits": [{"op": "move", "item": page["items"][0]["id"], "split": "train"}]},
    )
    assert moved["number"] == 2
    body = {"format": "coco", "path": "bridged-out", "background": True}
    job = ok(alice, "POST", f"{base}/export", body)
    for _ in range(600):  # the worker exports meanwhile; the panel polls like this
        seen = ok(alice, "GET", f"/jobs/{job['id']}")
        if seen["state"] != "running":
            break
        time.sleep(0.05)
    assert seen["state"] == "done", seen
    assert call(alice, "GET", "/jobs/not-a-job").status_code == 404
    # JupyterLab's bare cache buster (?<time>) is not a parameter the service refuses
    assert ok(alice, "GET", f"{base}/items?1733000000000&limit=2")["limit"] == 2
    bad = call(alice, "GET", f"{base}/items?limit=0")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "limit")


def test_errors_pass_through_and_paths_are_checked(alice: Served) -> None:
    cases: list[tuple[str, str, Any, int, str]] = [
        ("POST", "/datasets", {"name": "Bad Name", "folder": "x"}, 400, "name"),
        ("POST", "/datasets", {"name": "p", "path": "../elsewhere"}, 400, "path"),
        ("POST", "/datasets", {"name": "p", "path": ""}, 400, "path"),
        ("GET", "/datasets/99999", None, 404, "dataset_id"),
        ("POST", "/datasets", [], 400, "body"),
    ]
    for method, path, body, status, field in cases:
        reply = call(alice, method, path, body)
        assert reply.status_code == status, (path, reply.text)
        assert reply.json()["errors"][0]["field"] == field, (path, reply.text)
    named = call(alice, "GET", "/datasets/abc/snapshots")
    assert named.status_code == 404
    assert named.json()["errors"][0]["field"] == "dataset_id"
    named = call(alice, "GET", "/datasets/1/snapshots/x1")
    assert named.json()["errors"][0]["field"] == "number"


def test_only_the_owner_may_use_it(alice: Served) -> None:
    reply = call(alice, "GET", "/datasets", user="mallory")
    assert reply.status_code == 403
    assert reply.json()["errors"][0]["field"] == "user"


def test_a_folder_the_service_does_not_see_is_refused(
    datasets_app: Service, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    seen = home / "shared"  # docker mode: the service sees ~/shared only
    seen.mkdir()
    with bridge_of(datasets_app.url, "alice-token", "alice", home, seen) as served:
        reply = call(served, "POST", "/datasets", {"name": "n", "path": "notes"})
        assert reply.status_code == 400
        assert "shared" in reply.json()["error"]


def test_the_service_unreachable_is_503(tmp_path: Path) -> None:
    with bridge_of("http://127.0.0.1:9/", "t", "alice", tmp_path, tmp_path) as served:
        reply = call(served, "GET", "/datasets")
        assert reply.status_code == 503
        assert "datasets service" in reply.json()["error"]
