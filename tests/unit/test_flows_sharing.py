"""Sharing a flow, in this process (tests/flows_app.py): which parameters others may set
(only those the owner marked shared, never one that reaches a file path or a connection),
and that only the owner changes what a flow runs or when."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flows_api import document, error_of, inline_flow
from flows_app import Service, app_fixture

from galilean_services.errors import Forbidden
from galilean_services.flows import parse_flow
from galilean_services.flows.kinds import register_builtin
from galilean_services.flows.registry import NodeKind, Registry
from galilean_services.flows.settable import check_settable, reaching

app = app_fixture("flows-sharing")


def shared_flow() -> dict[str, Any]:
    """Alice's flow, shared with group "team": `file` reaches a file path, `region` is
    bound into a query on a saved connection, `least` and `label` are harmless (only
    `least` is marked shared), `term` goes to a URL's server, though marked shared."""
    return document(
        [
            {"id": "src", "kind": "source.file", "params": {"path": {"$param": "file"}}},
            {"id": "big", "kind": "transform.filter", "params": {"condition": "x >= :least"}},
            {"id": "out", "kind": "destination.display", "params": {}},
            {
                "id": "db",
                "kind": "source.sql_query",
                "params": {"connection": "warehouse", "query": "SELECT * FROM t WHERE r = :region"},
            },
            {
                "id": "api",
                "kind": "source.http_json",
                "params": {"url": "https://x.test/", "query": {"q": {"$param": "term"}}},
            },
        ],
        [("src", "big"), ("big", "out")],
        parameters=[
            {"name": "file", "type": "string", "default": "sales.csv"},
            {"name": "least", "type": "integer", "default": 0, "shared": True},
            {"name": "label", "type": "string", "default": ""},
            {"name": "region", "type": "string", "default": "north", "shared": True},
            {"name": "term", "type": "string", "default": "", "shared": True},
        ],
    )


def test_which_parameters_reach_a_file_or_a_connection() -> None:
    flow = parse_flow(json.dumps(shared_flow()))
    assert sorted(reaching(flow)) == ["file", "region", "term"]
    assert "'src'" in reaching(flow)["file"]


def test_a_kind_declares_its_own_path_like_fields() -> None:
    class Archive(NodeKind):
        name = "source.archive"
        title = "Archive"
        category = "source"
        inputs = ()
        params_schema = {  # noqa: RUF012
            "type": "object",
            "properties": {"member": {"type": "string", "format": "path"}, "note": {}},
        }

    registry = Registry()
    register_builtin(registry)
    registry.register(Archive())
    flow = parse_flow(
        json.dumps(
            document(
                [
                    {
                        "id": "a",
                        "kind": "source.archive",
                        "params": {"member": {"$param": "m"}, "note": {"$param": "n"}},
                    }
                ],
                [],
                parameters=[
                    {"name": "m", "type": "string", "shared": True},
                    {"name": "n", "type": "string", "shared": True},
                ],
            )
        )
    )
    assert sorted(reaching(flow, registry)) == ["m"]
    check_settable(flow, {"n": "x"}, by_owner=False, registry=registry)
    with pytest.raises(Forbidden) as refused:
        check_settable(flow, {"m": "../bob/x"}, by_owner=False, registry=registry)
    assert refused.value.errors[0]["field"] == "params.m"


def test_check_settable() -> None:
    flow = parse_flow(json.dumps(shared_flow()))
    check_settable(flow, {"file": "/etc/shadow", "label": "x"}, by_owner=True)  # the owner
    check_settable(flow, {"least": 5}, by_owner=False)  # shared, harmless
    check_settable(flow, {"file": "sales.csv", "label": ""}, by_owner=False)  # the defaults
    for params, field in (
        ({"file": ".galilean/connections.json"}, "params.file"),
        ({"label": "x"}, "params.label"),  # harmless, but not shared
        ({"region": "south"}, "params.region"),  # shared, but bound into a connection's query
        ({"term": "x"}, "params.term"),  # shared, but sent to a server with the owner's rights
    ):
        with pytest.raises(Forbidden) as refused:
            check_settable(flow, params, by_owner=False)
        assert refused.value.status == 403
        assert refused.value.errors[0]["field"] == field
    with pytest.raises(Forbidden) as both:
        check_settable(flow, {"file": "x", "label": "y", "least": 1}, by_owner=False)
    assert [e["field"] for e in both.value.errors] == ["params.file", "params.label"]


def test_group_members_set_only_shared_harmless_parameters(app: Service) -> None:
    created = app.call("POST", "/api/flows", {"flow": shared_flow(), "groups": ["team"]})
    assert created.status_code == 201, created.text
    runs = f"/api/flows/{created.json()['id']}/runs"
    refused = error_of(
        app.call("POST", runs, {"params": {"file": ".galilean/connections.json"}}, who="bob"),
        403,
    )
    assert refused["errors"][0]["field"] == "params.file"
    assert "reaches a file path or a connection" in refused["error"]
    error_of(app.call("POST", runs, {"params": {"label": "x"}}, who="bob"), 403)
    started = app.call("POST", runs, {"params": {"least": 5}}, who="bob")
    assert started.status_code == 202, started.text
    assert started.json()["caller"] == "bob"
    assert started.json()["params"] == {"least": 5}
    owner = app.call("POST", runs, {"params": {"file": "other.csv", "label": "x"}})
    assert owner.status_code == 202, owner.text
    # An admin who is not the owner is "anyone else".
    error_of(app.call("POST", runs, {"params": {"file": "x"}}, who="admin"), 403)


def test_only_the_owner_changes_what_a_flow_runs_or_when(app: Service) -> None:
    """A flow runs as its owner: an admin may read, run, rename, stop sharing, unpublish,
    unschedule and delete it, never give it new code, an endpoint, a schedule or more
    people to run it (403, the flow named); the people it is shared with change nothing."""
    created = app.call("POST", "/api/flows", {"flow": inline_flow(), "groups": ["team"]})
    assert created.status_code == 201, created.text
    flow = f"/api/flows/{created.json()['id']}"
    alice_did = [
        app.call("PUT", f"{flow}/endpoint", {"name": "alices-flow"}),
        app.call("PUT", f"{flow}/schedule", {"cron": "0 3 * * *"}),
    ]
    assert [r.status_code for r in alice_did] == [200, 200], [r.text for r in alice_did]
    owner_only = (
        ("POST", f"{flow}/versions", {"flow": inline_flow(name="admin's code")}),
        ("PUT", f"{flow}/endpoint", {"name": "admins-endpoint", "public": True}),
        ("PUT", f"{flow}/schedule", {"cron": "* * * * *"}),
        ("PATCH", f"{flow}", {"groups": ["team", "everyone"]}),
    )
    for method, path, body in owner_only:
        refused = error_of(app.call(method, path, body, who="admin"), 403)
        assert refused["error"].startswith("only the flow's owner may change what it runs")
        assert "alice" in refused["error"]
        refused = error_of(app.call(method, path, body, who="bob"), 403)  # shared with bob
        assert "shared flows can be read and run, not changed" in refused["error"]
    assert app.call("GET", f"{flow}/versions", who="admin").json()[-1]["number"] == 1
    assert app.call("GET", f"{flow}/endpoint", who="admin").json()["name"] == "alices-flow"
    assert app.call("GET", f"{flow}/schedule", who="admin").json()["cron"] == "0 3 * * *"
    # What an admin keeps: reading, running (as the caller on record), renaming, stopping.
    started = app.call("POST", f"{flow}/runs", {}, who="admin")
    assert started.status_code == 202, started.text
    assert started.json()["caller"] == "root"
    renamed = app.call("PATCH", flow, {"name": "renamed", "groups": []}, who="admin")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["groups"] == []
    for path in (f"{flow}/endpoint", f"{flow}/schedule", flow):
        stopped = app.call("DELETE", path, who="admin")
        assert stopped.status_code in (200, 204), (path, stopped.text)
    error_of(app.call("GET", flow), 404)
