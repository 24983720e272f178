"""The flows service's HTTP API in this process (tests/flows_app.py: `make_app` with the hub
replaced by a table of tokens): CRUD and immutable versions, scopes per verb, what other
users may not see or change, sharing through groups, the refusals of endpoints and
schedules, the OpenAPI document. What only the full stack shows (the hub's OAuth login,
its proxy, runs in the sandbox) is in tests/integration/test_flows_service.py."""

from __future__ import annotations

from typing import Any

import requests
from flows_api import document, error_of, inline_flow
from flows_app import app_fixture

from galilean_services.flows_service import handlers
from galilean_services.flows_service.access import scope

app = app_fixture("flows-app")


def sales_flow(**extra: Any) -> dict[str, Any]:
    return document(
        [
            {"id": "sales", "kind": "source.file", "params": {"path": "sales.csv"}},
            {"id": "big", "kind": "transform.filter", "params": {"condition": "amount >= :least"}},
            {"id": "out", "kind": "destination.display", "params": {}},
            {"id": "save", "kind": "destination.file", "params": {"path": "big.parquet"}},
        ],
        [("sales", "big"), ("big", "out"), ("big", "save")],
        parameters=[{"name": "least", "type": "number", "default": 20}],
        **extra,
    )


def others_flows(app: Any, who: str, groups: set[str]) -> list[dict[str, Any]]:
    """The flows `who` lists that are neither theirs nor shared with their `groups`."""
    listed = app.ok("GET", "/api/flows", who=who)
    return [f for f in listed if f["owner"] != who and not groups & set(f["groups"])]


def test_flows_and_immutable_versions(app: Any) -> None:
    created = app.ok("POST", "/api/flows", {"flow": sales_flow()}, 201, who="carol")
    flow_id = created["id"]
    assert created["owner"] == "carol"
    assert created["latest"] == 1
    assert created["name"] == "test flow"
    assert [f["id"] for f in app.ok("GET", "/api/flows", who="carol")] == [flow_id]

    changed = sales_flow(name="bigger sales")
    changed["parameters"][0]["default"] = 30
    path = f"/api/flows/{flow_id}/versions"
    v2 = app.ok("POST", path, {"flow": changed, "message": "30"}, 201, who="carol")
    assert v2["number"] == 2
    assert v2["flow"]["parameters"][0]["default"] == 30
    v1 = app.ok("GET", f"{path}/1", who="carol")
    assert v1["flow"]["parameters"][0]["default"] == 20  # a version never changes
    assert [v["number"] for v in app.ok("GET", path, who="carol")] == [1, 2]
    patch = {"name": "Sales", "description": "d"}
    renamed = app.ok("PATCH", f"/api/flows/{flow_id}", patch, who="carol")
    assert renamed["name"] == "Sales"
    assert renamed["latest"] == 2
    error_of(app.call("GET", f"{path}/9", who="carol"), 404)
    error_of(app.call("GET", "/api/flows/999999", who="carol"), 404)


def test_bad_flow_files_are_400_with_the_location(app: Any) -> None:
    broken = error_of(app.call("POST", "/api/flows", {"flow": '{"galilean_flow": 1,'}), 400)
    assert broken["errors"][0]["location"].startswith("flow:1:")
    old = sales_flow()
    old["galilean_flow"] = 7
    wrong = error_of(app.call("POST", "/api/flows", {"flow": old}), 400)
    assert wrong["errors"][0]["location"] == "flow:$.galilean_flow"
    assert "version 7" in wrong["error"]
    unknown = sales_flow()
    unknown["nodes"][1]["kind"] = "transform.teleport"
    unknown["nodes"][2]["params"] = {"limit": "ten"}
    problems = error_of(app.call("POST", "/api/flows", {"flow": unknown}), 400)["errors"]
    assert {(p["code"], p["node"]) for p in problems} >= {("unknown-kind", "big"), ("param", "out")}
    error_of(app.call("POST", "/api/flows", ["not", "an", "object"]), 400)
    not_json = app.call("POST", "/api/flows", data=b"{nope")
    assert "not JSON" in error_of(not_json, 400)["error"]
    assert app.ok("GET", "/health")["ok"]


def test_no_token_no_entry(app: Any) -> None:
    anonymous = app.call("GET", "/api/flows", who=None)
    assert error_of(anonymous, 401)["error"].startswith("log in to the hub")
    # A token with none of the service's scopes is not let in at all.
    error_of(app.call("GET", "/api/flows", who="no-flows"), 401)
    error_of(app.call("GET", "/api/flows", who="unknown"), 401)


def test_other_users_see_nothing_of_a_flow(app: Any) -> None:
    flow_id = app.ok("POST", "/api/flows", {"flow": sales_flow()}, 201)["id"]
    assert others_flows(app, "bob", {"team"}) == []
    for method, path, body in [
        ("GET", f"/api/flows/{flow_id}", None),
        ("GET", f"/api/flows/{flow_id}/versions", None),
        ("PATCH", f"/api/flows/{flow_id}", {"name": "mine"}),
        ("POST", f"/api/flows/{flow_id}/versions", {"flow": sales_flow()}),
        ("POST", f"/api/flows/{flow_id}/runs", {}),
        ("GET", f"/api/flows/{flow_id}/runs", None),
        ("DELETE", f"/api/flows/{flow_id}", None),
        ("PUT", f"/api/flows/{flow_id}/endpoint", {"name": "stolen"}),
    ]:
        error_of(app.call(method, path, body, who="bob"), 404)
    run_id = app.service.store.create_run(flow_id, 1, "alice", "manual", {})
    for method, path in (("GET", f"/api/runs/{run_id}"), ("POST", f"/api/runs/{run_id}/cancel")):
        problem = error_of(app.call(method, path, who="bob"), 404)
        assert problem["error"] == f"run {run_id} does not exist"
        assert problem["errors"] == [{"field": "run_id"}]
        assert f"flow {flow_id}" not in problem["error"]  # not even confirmed to exist
    missing = "0" * 32
    assert error_of(app.call("GET", f"/api/runs/{missing}"), 404)["error"] == (
        f"run {missing} does not exist"
    )
    assert app.ok("GET", f"/api/runs/{run_id}")["id"] == run_id


def test_groups_share_read_and_run_not_change(app: Any) -> None:
    flow_id = app.ok("POST", "/api/flows", {"flow": sales_flow()}, 201)["id"]
    app.ok("PATCH", f"/api/flows/{flow_id}", {"groups": ["analysts"]})
    assert flow_id in [f["id"] for f in app.ok("GET", "/api/flows", who="carol")]
    run = app.ok("POST", f"/api/flows/{flow_id}/runs", {}, 202, who="carol")
    assert run["caller"] == "carol"
    assert run["id"] in app.started
    refused = error_of(app.call("PATCH", f"/api/flows/{flow_id}", {"name": "x"}, who="carol"), 403)
    assert "belongs to alice" in refused["error"]
    assert others_flows(app, "bob", {"team"}) == []
    assert flow_id in [f["id"] for f in app.ok("GET", "/api/flows", who="admin")]


def test_a_token_with_only_custom_flows_read_can_read(app: Any) -> None:
    flow_id = app.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)["id"]
    listed = app.ok("GET", "/api/flows", who="read-only")
    assert flow_id in [f["id"] for f in listed]
    app.ok("GET", f"/api/flows/{flow_id}", who="read-only")
    for method, path, body, verb in (
        ("POST", "/api/flows", {"flow": inline_flow()}, "write"),
        ("POST", f"/api/flows/{flow_id}/runs", {}, "run"),
        ("PUT", f"/api/flows/{flow_id}/schedule", {"cron": "* * * * *"}, "write"),
        ("PUT", f"/api/flows/{flow_id}/endpoint", {"name": "read-only"}, "write"),
    ):
        refused = error_of(app.call(method, path, body, who="read-only"), 403)
        assert scope(verb) in refused["error"]
        assert refused["errors"] == [{"field": "scope", "scope": scope(verb)}]


def test_endpoint_refusals(app: Any) -> None:
    """What a published endpoint refuses before anything runs (its calls run in a worker:
    tests/integration/test_flows_service.py)."""
    flow = app.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)
    endpoint = f"/api/flows/{flow['id']}/endpoint"
    published = app.ok("PUT", endpoint, {"name": "alices-orders"})
    assert published["public"] is False
    assert app.ok("GET", f"/api/flows/{flow['id']}", who="read-only")["endpoint"]["name"] == (
        "alices-orders"
    )
    no_token = error_of(app.call("POST", "/execute/alices-orders", [], who=None), 401)
    assert "custom:flows:execute" in no_token["error"]
    error_of(app.call("POST", "/execute/alices-orders", [], who="bob"), 403)  # not shared
    error_of(app.call("POST", "/execute/alices-orders", [], who="read-only"), 403)
    bobs = app.ok("POST", "/api/flows", {"flow": inline_flow()}, 201, who="bob")
    taken = {"name": "alices-orders"}
    error_of(app.call("PUT", f"/api/flows/{bobs['id']}/endpoint", taken, who="bob"), 400)
    error_of(app.call("PUT", endpoint, {"name": "Bad Name"}), 400)
    error_of(app.call("GET", "/execute/nothing-here"), 404)
    app.ok("DELETE", endpoint, status=204)
    error_of(app.call("POST", "/execute/alices-orders", [], who=None), 404)


def test_schedule_refusals(app: Any) -> None:
    flow_id = app.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)["id"]
    schedule = f"/api/flows/{flow_id}/schedule"
    bad = error_of(app.call("PUT", schedule, {"cron": "every day"}), 400)
    assert bad["errors"] == [{"field": "cron"}]
    error_of(app.call("PUT", schedule, {"cron": "* * * * *", "params": {"least": "x"}}), 400)
    made = app.ok("PUT", schedule, {"cron": "0 3 * * *"})
    assert made["missed"] == "once"
    app.ok("DELETE", schedule, status=204)
    assert app.ok("GET", schedule) is None


def test_deleting_a_flow_takes_its_runs(app: Any) -> None:
    flow = app.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)
    run = app.ok("POST", f"/api/flows/{flow['id']}/runs", {}, 202)
    app.ok("DELETE", f"/api/flows/{flow['id']}", status=204)
    error_of(app.call("GET", f"/api/flows/{flow['id']}"), 404)
    error_of(app.call("GET", f"/api/runs/{run['id']}"), 404)


def test_openapi_describes_every_route(app: Any) -> None:
    from galilean_services.flows_service.app import ROUTES

    doc = requests.get(f"{app.url}/api/openapi.json", timeout=30).json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/" + template for template, _ in ROUTES}
    for template, handler in ROUTES:
        for method in doc["paths"]["/" + template]:
            assert method.upper() in handler.SUPPORTED_METHODS
            assert hasattr(handler, method)
    error_of(requests.get(f"{app.url}/api/nothing", timeout=30), 404)


def test_openapi_documents_bodies_arguments_and_scopes(app: Any) -> None:
    doc = requests.get(f"{app.url}/api/openapi.json", timeout=30).json()
    runs = doc["paths"]["/api/flows/{flow_id}/runs"]["post"]
    assert runs["parameters"][0]["schema"] == {"type": "string", "pattern": "^\\d+$"}
    body = runs["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"version", "params", "targets"}
    assert "custom:flows:read" in doc["info"]["description"]
    assert "any one of the custom:flows:* scopes" in doc["info"]["description"]
    parameter = doc["components"]["schemas"]["Flow"]["properties"]["parameters"]["items"]
    assert parameter["properties"]["shared"] == {"type": "boolean", "default": False}
    assert "custom:flows:*" in (handlers.BaseHandler.__doc__ or "")


def test_the_overview_lists_failures_first_for_admins_and_the_dashboard(app: Any) -> None:
    store = app.service.store
    made = app.ok("POST", "/api/flows", {"flow": sales_flow(name="nightly")}, 201, who="bob")
    failed = store.create_run(made["id"], 1, "bob", "schedule", {})
    store.update_run(failed, status="failed", error={"node": "sales", "message": "no file"})
    done = store.create_run(made["id"], 1, "bob", "manual", {})
    store.update_run(done, status="succeeded")
    store.set_schedule(made["id"], cron="0 3 * * *", next_run=2_000_000_000.0)
    seen = app.ok("GET", "/api/overview", who="admin")
    mine = [r for r in seen["runs"] if r["flow_id"] == made["id"]]
    assert [r["status"] for r in mine] == ["failed", "succeeded"]  # failures first
    assert mine[0]["error"] == "sales: no file"
    assert (mine[0]["owner"], mine[0]["flow"], mine[0]["trigger"]) == ("bob", "nightly", "schedule")
    (planned,) = [s for s in seen["schedules"] if s["flow_id"] == made["id"]]
    assert (planned["cron"], planned["last_status"]) == ("0 3 * * *", "failed")
    assert seen["totals"]["failed"] >= 1
    assert app.ok("GET", "/api/overview", who="usage-dashboard")["runs"]
    error_of(app.call("GET", "/api/overview", who="bob"), 403)
    error_of(app.call("GET", "/api/overview", who="other-service"), 403)
