"""The diff of two flow versions (flows/diff.py, pure) and the flows service's diff,
restore and "run up to here" (targets) routes, in this process (tests/flows_app.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

from flows_api import document, error_of, inline_flow
from flows_app import app_fixture

from galilean_services.flows.diff import diff_flows, is_empty

app = app_fixture("flows-designer")


def base() -> dict[str, Any]:
    flow = inline_flow()
    flow["nodes"][1]["position"] = {"x": 10, "y": 20}
    return flow


# -- the pure diff -------------------------------------------------------------------------


def test_same_flow_is_an_empty_diff() -> None:
    diff = diff_flows(base(), base(), 1, 2)
    assert (diff["from"], diff["to"]) == (1, 2)
    assert is_empty(diff)
    assert diff["nodes"] == {"added": [], "removed": [], "changed": []}
    assert diff["edges"] == {"added": [], "removed": []}


def test_added_removed_and_changed_nodes() -> None:
    old, new = base(), base()
    new["nodes"][1]["params"] = {"condition": "x >= :least + 1", "note": None}
    new["nodes"][1]["position"] = {"x": 99, "y": 20}
    new["nodes"][2] = {"id": "save", "kind": "destination.file", "params": {"path": "o.csv"}}
    new["edges"][1] = {
        "id": "e1",  # the same id, another target: a removed and an added edge
        "from": {"node": "big", "port": "out"},
        "to": {"node": "save", "port": "in"},
    }
    diff = diff_flows(old, new, 1, 2)
    assert diff["nodes"]["added"] == ["save"]
    assert diff["nodes"]["removed"] == ["out"]
    assert diff["nodes"]["changed"] == [
        {
            "id": "big",
            "params": {
                "condition": {"from": "x >= :least", "to": "x >= :least + 1"},
                "note": {"from": None, "to": None},  # absent → null is a change
            },
            "moved": True,
        }
    ]
    assert [e["to"]["node"] for e in diff["edges"]["added"]] == ["save"]
    assert [e["to"]["node"] for e in diff["edges"]["removed"]] == ["out"]
    assert not is_empty(diff)


def test_a_moved_node_and_a_new_kind() -> None:
    old, new = base(), base()
    new["nodes"][1]["position"] = {"x": 11, "y": 20}
    new["nodes"][2]["kind"] = "destination.file"
    changed = {c["id"]: c for c in diff_flows(old, new)["nodes"]["changed"]}
    assert changed["big"] == {"id": "big", "params": {}, "moved": True}
    assert changed["out"]["kind"] == {"from": "destination.display", "to": "destination.file"}
    assert changed["out"]["moved"] is False


def test_edges_are_matched_by_what_they_connect_not_their_id() -> None:
    old, new = base(), base()
    for number, edge in enumerate(new["edges"]):
        edge["id"] = f"renumbered-{number}"
    assert diff_flows(old, new)["edges"] == {"added": [], "removed": []}


def test_parameters_and_flow_fields() -> None:
    old, new = base(), base()
    new["name"] = "renamed"
    new["parameters"][0]["default"] = 5
    new["parameters"].append({"name": "most", "type": "integer", "default": 9})
    diff = diff_flows(old, new)
    assert diff["parameters"] == {
        "added": ["most"],
        "removed": [],
        "changed": [{"name": "least", "fields": {"default": {"from": 0, "to": 5}}}],
    }
    assert diff["flow"] == {"name": {"from": "test flow", "to": "renamed"}}
    back = diff_flows(new, old)
    assert back["parameters"]["removed"] == ["most"]


def test_malformed_documents_do_not_raise() -> None:
    diff = diff_flows({"nodes": "x", "edges": [1, None], "parameters": [{}]}, base())
    assert diff["nodes"]["added"] == ["data", "big", "out"]
    assert len(diff["edges"]["added"]) == 2


# -- the service: diff and restore ----------------------------------------------------------


def two_versions(app: Any, who: str = "alice") -> int:
    flow_id: int = app.ok("POST", "/api/flows", {"flow": base()}, 201, who=who)["id"]
    changed = base()
    changed["parameters"][0]["default"] = 3
    changed["nodes"][1]["params"]["condition"] = "x > :least"
    app.ok("POST", f"/api/flows/{flow_id}/versions", {"flow": changed}, 201, who=who)
    return flow_id


def test_diff_of_two_versions(app: Any) -> None:
    flow_id = two_versions(app)
    diff = app.ok("GET", f"/api/flows/{flow_id}/versions/2/diff?against=1")
    assert (diff["from"], diff["to"]) == (1, 2)
    assert diff["nodes"]["changed"] == [
        {
            "id": "big",
            "params": {"condition": {"from": "x >= :least", "to": "x > :least"}},
            "moved": False,
        }
    ]
    assert diff["parameters"]["changed"][0]["fields"] == {"default": {"from": 0, "to": 3}}
    # Without `against`: the version before; backwards works too.
    assert app.ok("GET", f"/api/flows/{flow_id}/versions/2/diff") == diff
    back = app.ok("GET", f"/api/flows/{flow_id}/versions/1/diff?against=2")
    assert back["parameters"]["changed"][0]["fields"] == {"default": {"from": 3, "to": 0}}
    assert (
        app.ok("GET", f"/api/flows/{flow_id}/versions/2/diff?against=2")["nodes"]["changed"] == []
    )


def test_diff_refusals_name_the_field(app: Any) -> None:
    flow_id = two_versions(app)
    path = f"/api/flows/{flow_id}/versions"
    for query in ("?against=x", "?against=-1", "?against=", "?against=1.5"):
        bad = error_of(app.call("GET", f"{path}/2/diff{query}"), 400)
        assert bad["errors"][0]["field"] == "against", query
    assert error_of(app.call("GET", f"{path}/1/diff"), 400)["errors"][0]["field"] == "against"
    assert error_of(app.call("GET", f"{path}/2/diff?against=9"), 404)["errors"][0] == {
        "field": "against"
    }
    assert error_of(app.call("GET", f"{path}/9/diff?against=1"), 404)["errors"][0] == {
        "field": "number"
    }
    error_of(app.call("GET", f"{path}/2/diff?against=99999999999"), 404)


def test_restore_makes_a_new_version(app: Any) -> None:
    flow_id = two_versions(app)
    path = f"/api/flows/{flow_id}/versions"
    restored = app.ok("POST", f"{path}/1/restore", None, 201)
    assert restored["number"] == 3
    assert restored["message"] == "Restored version 1"
    assert restored["author"] == "alice"
    assert restored["flow"] == app.ok("GET", f"{path}/1")["flow"]
    again = app.ok("POST", f"{path}/2/restore", {"message": "back to 3"}, 201)
    assert (again["number"], again["message"]) == (4, "back to 3")
    assert [v["number"] for v in app.ok("GET", path)] == [1, 2, 3, 4]  # nothing lost
    assert app.ok("GET", f"/api/flows/{flow_id}")["latest"] == 4
    assert is_empty(app.ok("GET", f"{path}/3/diff?against=1"))
    assert error_of(app.call("POST", f"{path}/9/restore"), 404)["errors"] == [{"field": "number"}]
    bad = error_of(app.call("POST", f"{path}/1/restore", {"message": 7}), 400)
    assert bad["errors"] == [{"field": "message"}]
    error_of(app.call("POST", f"{path}/1/restore", ["x"]), 400)


def test_restoring_a_version_that_no_longer_validates_is_400(app: Any) -> None:
    flow_id = two_versions(app)
    stale = base()
    stale["nodes"][1]["kind"] = "transform.retired"  # a kind since uninstalled
    app.service.store.add_version(flow_id, json.dumps(stale), "alice", "old")
    problem = error_of(app.call("POST", f"/api/flows/{flow_id}/versions/3/restore"), 400)
    assert ("unknown-kind", "big") in {(p.get("code"), p.get("node")) for p in problem["errors"]}
    assert app.ok("GET", f"/api/flows/{flow_id}")["latest"] == 3  # nothing added


def test_other_users_get_404_and_readers_403(app: Any) -> None:
    flow_id = two_versions(app)
    path = f"/api/flows/{flow_id}/versions"
    for method, url in (("GET", f"{path}/2/diff?against=1"), ("POST", f"{path}/1/restore")):
        problem = error_of(app.call(method, url, who="bob"), 404)
        assert problem["errors"] == [{"field": "flow_id"}]
    assert app.ok("GET", f"{path}/2/diff", who="read-only")["to"] == 2
    refused = error_of(app.call("POST", f"{path}/1/restore", who="read-only"), 403)
    assert "custom:flows:write" in refused["error"]
    # Shared with a group: its members read the diff, but may not restore (403).
    app.ok("PATCH", f"/api/flows/{flow_id}", {"groups": ["analysts"]})
    assert app.ok("GET", f"{path}/2/diff", who="carol")["to"] == 2
    error_of(app.call("POST", f"{path}/1/restore", who="carol"), 403)
    error_of(app.call("POST", f"{path}/1/restore", who="admin"), 403)  # runs as alice
    assert [v["number"] for v in app.ok("GET", path)] == [1, 2]


# -- run up to here ----------------------------------------------------------------------


def test_runs_up_to_chosen_nodes(app: Any) -> None:
    flow_id = two_versions(app)
    runs = f"/api/flows/{flow_id}/runs"
    run = app.ok("POST", runs, {"targets": ["big", "big"]}, 202)
    assert app.started_with[run["id"]]["targets"] == ["big"]
    every = app.ok("POST", runs, {}, 202)
    assert app.started_with[every["id"]]["targets"] is None
    old = app.ok("POST", runs, {"version": 1, "targets": ["data"]}, 202)
    assert app.started_with[old["id"]]["targets"] == ["data"]


def test_targets_refusals_name_the_field(app: Any) -> None:
    flow = copy.deepcopy(base())
    flow_id = app.ok("POST", "/api/flows", {"flow": flow}, 201)["id"]
    runs = f"/api/flows/{flow_id}/runs"
    before = len(app.started)
    for targets in (["nowhere"], [], "big", [1], [""], ["big", "nowhere"]):
        problem = error_of(app.call("POST", runs, {"targets": targets}), 400)
        assert problem["errors"][0]["field"] == "targets", targets
    unknown = error_of(app.call("POST", runs, {"targets": ["big", "nowhere"]}), 400)
    assert "'nowhere'" in unknown["error"]
    assert unknown["errors"][0]["nodes"] == ["nowhere"]
    assert len(app.started) == before  # nothing started
    error_of(app.call("POST", runs, {"targets": ["big"]}, who="bob"), 404)


def test_diff_of_unrelated_versions(app: Any) -> None:
    nodes = [
        {
            "id": "a",
            "kind": "source.inline",
            "params": {"columns": [{"name": "y", "type": "BIGINT"}], "rows": []},
        },
        {"id": "shown", "kind": "destination.display", "params": {}},
    ]
    flow = document(nodes, [("a", "shown")])
    flow_id = app.ok("POST", "/api/flows", {"flow": flow}, 201)["id"]
    app.ok("POST", f"/api/flows/{flow_id}/versions", {"flow": base()}, 201)
    diff = app.ok("GET", f"/api/flows/{flow_id}/versions/2/diff")
    assert diff["nodes"]["added"] == ["data", "big", "out"]
    assert diff["nodes"]["removed"] == ["a", "shown"]
    assert diff["parameters"]["added"] == ["least"]
