"""The datasets service over HTTP, in this process, its work done by real worker processes
in the owner's folder: a files dataset's whole life (create, snapshot, diff, restore, tag,
retention, gc), who may do what (owner, group, admin, scopes), and bad input answered 400/
404/409 naming the field."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from datasets_app import Service


@pytest.fixture(scope="module")
def app(datasets_app: Service) -> Service:
    return datasets_app


def pictures(app: Service, user: str = "alice", folder: str = "pictures") -> Path:
    work = app.folder_of(user) / folder
    (work / "train").mkdir(parents=True, exist_ok=True)
    (work / "train" / "a.txt").write_text("first")
    (work / "train" / "b.txt").write_text("second")
    (work / "classes.txt").write_text("cat\ndog\n")
    return work


def create(app: Service, name: str, folder: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "driver": "files", "folder": folder, **extra}
    found: dict[str, Any] = app.ok("POST", "/api/datasets", body, status=201)
    return found


def test_a_files_dataset_from_snapshot_to_restore(app: Service) -> None:
    work = pictures(app)
    dataset = create(app, "pictures", "pictures", description="cats and dogs")
    base = f"/api/datasets/{dataset['id']}"
    assert app.ok("GET", base)["head"] is None

    first = app.ok("POST", f"{base}/snapshots", {"message": "as found"}, status=201)
    assert (first["number"], first["author"], first["message"]) == (1, "alice", "as found")
    (work / "train" / "a.txt").write_text("changed")
    (work / "train" / "b.txt").unlink()
    (work / "train" / "c.txt").write_text("new")
    origin = {"notebook": "clean.ipynb"}
    second = app.ok(
        "POST", f"{base}/snapshots", {"message": "cleaned", "origin": origin}, status=201
    )
    assert second["number"] == 2
    assert second["origin"] == origin
    assert app.ok("GET", base)["head"]["number"] == 2

    changes = app.ok("GET", f"{base}/snapshots/2/diff?against=1")
    assert changes["added"] == ["train/c.txt"]
    assert changes["removed"] == ["train/b.txt"]
    assert [m["path"] for m in changes["modified"]] == ["train/a.txt"]

    restored = app.ok("POST", f"{base}/snapshots/1/restore", status=201)
    assert restored["number"] == 3
    assert restored["origin"] == {"restored": "1"}
    assert (work / "train" / "a.txt").read_text() == "first"
    assert (work / "train" / "b.txt").read_text() == "second"
    assert not (work / "train" / "c.txt").exists()
    numbers = [s["number"] for s in app.ok("GET", f"{base}/snapshots")]
    assert numbers == [1, 2, 3]  # the old head stays

    tagged = app.ok("POST", f"{base}/snapshots/2/tags", {"tag": "v1.0"})
    assert tagged["tags"] == ["v1.0"]
    taken = app.call("POST", f"{base}/snapshots/1/tags", {"tag": "v1.0"})
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["field"] == "tag"

    report = app.ok("POST", f"{base}/retention", {"keep_last": 1})
    assert report["removed"] == [1]  # 2 is tagged, 3 the head
    assert [s["number"] for s in app.ok("GET", f"{base}/snapshots")] == [2, 3]
    freed = app.ok("POST", f"{base}/gc")
    assert freed["objects_removed"] >= 0
    assert freed["bytes_freed"] >= 0


def test_the_stores_live_in_the_owners_folder(app: Service) -> None:
    pictures(app, folder="kept")
    dataset = create(app, "kept", "kept")
    app.ok("POST", f"/api/datasets/{dataset['id']}/snapshots", {}, status=201)
    store = app.folder_of("alice") / ".galilean" / "datasets" / "kept"
    assert (store / "refs.json").is_file()
    app.ok("DELETE", f"/api/datasets/{dataset['id']}")
    assert not store.exists()
    assert (app.folder_of("alice") / "kept" / "classes.txt").is_file()  # the folder stays
    gone = app.call("GET", f"/api/datasets/{dataset['id']}")
    assert gone.status_code == 404


def test_who_may_do_what(app: Service) -> None:
    pictures(app, folder="shared")
    dataset = create(app, "shared", "shared")
    base = f"/api/datasets/{dataset['id']}"
    app.ok("POST", f"{base}/snapshots", {"message": "one"}, status=201)

    # bob: not shared with him yet → it does not exist for him, on every route
    for method, path in [
        ("GET", base),
        ("GET", f"{base}/snapshots"),
        ("GET", f"{base}/snapshots/1"),
        ("GET", f"{base}/snapshots/1/diff?against=1"),
        ("POST", f"{base}/snapshots"),
        ("POST", f"{base}/snapshots/1/restore"),
        ("POST", f"{base}/snapshots/1/tags"),
        ("POST", f"{base}/retention"),
        ("POST", f"{base}/gc"),
        ("GET", f"{base}/lineage"),
        ("GET", f"{base}/items"),
        ("GET", f"{base}/stats"),
        ("POST", f"{base}/edits"),
        ("POST", f"{base}/export"),
        ("POST", f"{base}/sample"),
        ("PATCH", base),
        ("DELETE", base),
    ]:
        body: dict[str, Any] | None = {} if method in ("POST", "PATCH") else None
        reply = app.call(method, path, body, who="bob")
        assert reply.status_code == 404, (method, path, reply.text)
    assert dataset["id"] not in [d["id"] for d in app.ok("GET", "/api/datasets", who="bob")]

    app.ok("PATCH", base, {"groups": ["team"]})
    assert app.ok("GET", f"{base}/snapshots", who="bob")[0]["message"] == "one"
    for method, path in [
        ("POST", f"{base}/snapshots"),
        ("POST", f"{base}/snapshots/1/restore"),
        ("POST", f"{base}/snapshots/1/tags"),
        ("POST", f"{base}/gc"),
        ("POST", f"{base}/retention"),
        ("POST", f"{base}/edits"),
        ("POST", f"{base}/export"),
        ("POST", f"{base}/sample"),
        ("PATCH", base),
        ("DELETE", base),
    ]:
        reply = app.call(method, path, {}, who="bob")
        assert reply.status_code == 403, (method, path, reply.text)
        assert reply.json()["errors"][0]["field"] == "dataset_id"
    # an admin sees it, and may not change what runs as alice either
    assert app.ok("GET", base, who="admin")["name"] == "shared"
    assert app.call("POST", f"{base}/snapshots", {}, who="admin").status_code == 403
    # scopes: a read-only token reads, does not write; a token without the service: 403
    assert app.call("GET", f"{base}/snapshots", who="read-only").status_code == 200
    refused = app.call("POST", f"{base}/snapshots", {}, who="read-only")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["scope"] == "custom:datasets:write"
    # a token without the service's scopes is not let in (as if no token: 401)
    assert app.call("GET", "/api/datasets", who="no-datasets").status_code == 401
    assert app.call("GET", "/api/datasets", who=None).status_code == 401


def test_a_group_given_write_changes_content_and_nothing_else(app: Service) -> None:
    work = pictures(app, folder="team-pics")
    dataset = create(app, "team-pics", "team-pics", writers=["team"])
    assert (dataset["groups"], dataset["writers"]) == (["team"], ["team"])  # writers read too
    base = f"/api/datasets/{dataset['id']}"
    assert app.ok("GET", base)["access"] == "owner"
    assert app.ok("GET", base, who="bob")["access"] == "write"
    listed = {d["id"]: d["access"] for d in app.ok("GET", "/api/datasets", who="bob")}
    assert listed[dataset["id"]] == "write"
    app.ok("POST", f"{base}/snapshots", {"message": "alice's"}, status=201)
    (work / "classes.txt").write_text("cat\ndog\nbird\n")
    made = app.ok("POST", f"{base}/snapshots", {"message": "bob's"}, status=201, who="bob")
    assert made["author"] == "bob"  # his name on it; the work ran as alice, in her folder
    app.ok("POST", f"{base}/snapshots/1/tags", {"tag": "before-bob"}, who="bob")
    app.ok("POST", f"{base}/snapshots/1/restore", {}, status=201, who="bob")
    assert (work / "classes.txt").read_text() == "cat\ndog\n"
    # the owner's alone: sharing, deleting, expiring, collecting, exporting into her folder
    owners_only: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", base, {"writers": []}),
        ("DELETE", base, None),
        ("POST", f"{base}/retention", {"keep_last": 1}),
        ("POST", f"{base}/gc", {}),
        ("POST", f"{base}/export", {"format": "coco", "path": "out"}),
    ]
    for method, path, body in owners_only:
        reply = app.call(method, path, body, who="bob")
        assert reply.status_code == 403, (method, path, reply.text)
    # write taken back, read kept: bob reads, no longer changes
    assert app.ok("PATCH", base, {"writers": []})["groups"] == ["team"]
    assert app.call("POST", f"{base}/snapshots", {}, who="bob").status_code == 403
    assert app.ok("GET", base, who="bob")["access"] == "read"
    assert len(app.ok("GET", f"{base}/snapshots", who="bob")) == 3
    # unsharing a group takes its write away with it
    app.ok("PATCH", base, {"writers": ["team"]})
    assert app.ok("PATCH", base, {"groups": []})["writers"] == []
    assert app.call("GET", base, who="bob").status_code == 404
    assert app.call("PATCH", base, {"writers": "team"}).json()["errors"][0]["field"] == "writers"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Bad Name", "folder": "x"}, "name"),
        ({"folder": "x"}, "name"),
        ({"name": "a", "driver": "zip", "folder": "x"}, "driver"),
        ({"name": "a", "folder": "/etc"}, "folder"),
        ({"name": "a", "folder": "../bob"}, "folder"),
        ({"name": "a", "folder": ".galilean/datasets"}, "folder"),
        ({"name": "a", "folder": "no-such-folder"}, "folder"),
        ({"name": "a", "driver": "tables", "folder": "x"}, "folder"),
        ({"name": "a", "folder": "x", "groups": "team"}, "groups"),
    ],
)
def test_a_bad_new_dataset_names_its_field(app: Service, body: dict[str, Any], field: str) -> None:
    (app.folder_of("alice") / "x").mkdir(exist_ok=True)
    reply = app.call("POST", "/api/datasets", body)
    assert reply.status_code == 400, reply.text
    assert reply.json()["errors"][0]["field"] == field


def test_a_folder_that_leaves_yours_by_a_link_is_refused(app: Service, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, app.folder_of("alice") / "link")
    reply = app.call("POST", "/api/datasets", {"name": "linked", "folder": "link"})
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["field"] == "folder"


def test_bad_requests_on_a_dataset_name_their_field(app: Service) -> None:
    pictures(app, folder="checked")
    dataset = create(app, "checked", "checked")
    base = f"/api/datasets/{dataset['id']}"
    app.ok("POST", f"{base}/snapshots", {}, status=201)
    cases: list[tuple[str, str, Any, int, str]] = [
        ("GET", f"{base}/snapshots/9", None, 404, "number"),
        ("GET", f"{base}/snapshots/1/diff", None, 400, "against"),
        ("GET", f"{base}/snapshots/1/diff?against=7", None, 404, "against"),
        ("GET", f"{base}/snapshots/8/diff?against=1", None, 404, "number"),
        ("POST", f"{base}/snapshots/1/tags", {"tag": "no spaces"}, 400, "tag"),
        ("POST", f"{base}/snapshots", {"origin": {"run": 5}}, 400, "origin"),
        ("POST", f"{base}/snapshots", [], 400, "body"),
        ("POST", f"{base}/retention", {}, 400, "keep_last"),
        ("POST", f"{base}/retention", {"keep_last": "two"}, 400, "keep_last"),
        ("PATCH", base, {"name": "renamed"}, 400, "name"),
        ("GET", "/api/datasets/99999", None, 404, "dataset_id"),
    ]
    for method, path, body, status, field in cases:
        reply = app.call(method, path, body)
        assert reply.status_code == status, (method, path, reply.text)
        assert reply.json()["errors"][0]["field"] == field, (method, path, reply.text)
    second = app.call("POST", "/api/datasets", {"name": "checked", "folder": "checked"})
    assert second.status_code == 409
    assert second.json()["errors"][0]["field"] == "name"


def test_the_openapi_document_has_every_route(app: Service) -> None:
    from galilean_services.datasets_service.app import ROUTES

    document = app.ok("GET", "/api/openapi.json", who=None)
    assert {"/" + template for template, _ in ROUTES} == set(document["paths"])
    assert app.ok("GET", "/health", who=None) == {"ok": True}


def test_a_tables_dataset_diffs_rows_and_restores(app: Service) -> None:
    import pyarrow as pa

    from galilean_services.datasets.tables import TablesDataset

    dataset = app.ok("POST", "/api/datasets", {"name": "orders", "driver": "tables"}, status=201)
    base = f"/api/datasets/{dataset['id']}"
    # What a flow or a notebook writes, as the owner, in the store the service named.
    store = app.folder_of("alice") / ".galilean" / "datasets" / "orders"
    lake = TablesDataset(store, allowed_root=app.folder_of("alice"))
    try:
        rows = pa.table({"id": [1, 2, 3], "amount": [10.0, 20.0, 30.0]})
        lake.write("orders", rows, key=["id"], author="alice", message="first load")
        changed = pa.table({"id": [2, 4], "amount": [25.0, 40.0]})
        lake.write("orders", changed, "upsert", key=["id"], author="alice")
    finally:
        lake.close()
    assert [s["number"] for s in app.ok("GET", f"{base}/snapshots")] == [1, 2]
    changes = app.ok("GET", f"{base}/snapshots/2/diff?against=1")
    assert "orders" in str(changes)
    assert "25.0" in str(changes)
    marker = app.ok("POST", f"{base}/snapshots", {"message": "checked"}, status=201)
    assert marker["number"] == 3
    restored = app.ok("POST", f"{base}/snapshots/1/restore", status=201)
    assert restored["number"] == 4
    lake = TablesDataset(store, allowed_root=app.folder_of("alice"))
    try:
        assert sorted(lake.read("orders").column("amount").to_pylist()) == [10.0, 20.0, 30.0]
    finally:
        lake.close()


def test_lineage_shows_what_made_each_snapshot(app: Service) -> None:
    work = pictures(app, folder="traced")
    dataset = create(app, "traced", "traced")
    base = f"/api/datasets/{dataset['id']}"
    origin = {"flow": "prep.flow", "version": "4", "run": "abc123"}
    app.ok("POST", f"{base}/snapshots", {"message": "by a flow", "origin": origin}, status=201)
    (work / "classes.txt").write_text("cat\n")
    app.ok("POST", f"{base}/snapshots", {"origin": {"notebook": "clean.ipynb"}}, status=201)
    app.ok("POST", f"{base}/snapshots/1/restore", status=201)
    graph = app.ok("GET", f"{base}/lineage")
    kinds = {node["id"]: node["kind"] for node in graph["nodes"]}
    assert kinds["dataset:alice/traced"] == "dataset"
    assert kinds["flow:alice/prep.flow@4"] == "flow_version"
    assert kinds["run:abc123"] == "run"
    assert kinds["notebook:alice/clean.ipynb"] == "notebook"
    edges = {(e["from"], e["to"], e["how"]) for e in graph["edges"]}
    snap = "snapshot:alice/traced#"
    assert ("flow:alice/prep.flow@4", "run:abc123", "ran") in edges
    assert ("run:abc123", f"{snap}1", "wrote") in edges
    assert ("notebook:alice/clean.ipynb", f"{snap}2", "made") in edges
    assert (f"{snap}1", f"{snap}2", "parent") in edges
    assert (f"{snap}1", f"{snap}3", "restored") in edges
    assert app.call("GET", f"{base}/lineage", who="bob").status_code == 404


def test_reads_of_one_dataset_at_once_all_answer(app: Service) -> None:
    """Each worker is its own process group: one ending never takes another with it."""
    from concurrent.futures import ThreadPoolExecutor

    pictures(app, folder="at-once")
    dataset = create(app, "at-once", "at-once")
    base = f"/api/datasets/{dataset['id']}"
    app.ok("POST", f"{base}/snapshots", {"message": "one"}, status=201)
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: app.call("GET", f"{base}/snapshots"), range(12)))
    assert [reply.status_code for reply in replies] == [200] * 12
