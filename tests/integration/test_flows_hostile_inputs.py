"""The flows service's HTTP surface under bad and hostile input: every refusal is a 400 or
404 (or 401/403) in the one JSON error shape, never a 500.

Most tests run the real service application in this process (tornado on a free port) with
the hub's token check answered from a table (`FakeHubAuth`): the hub adds nothing to how
the service parses a request. The schemathesis fuzz runs there too. The last tests check
on a real hub, through its proxy, what only the hub can show (the scopes in its tokens).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import requests
from flows_api import Flows, document, error_of, inline_flow, wait_ready
from jupyterhub.services.auth import HubOAuth
from tornado.httpserver import HTTPServer

from conftest import admin_client, approved_user, hub_fixture
from galilean_services.errors import Forbidden
from galilean_services.flows import parse_flow
from galilean_services.flows.kinds import register_builtin
from galilean_services.flows.registry import NodeKind, Registry
from galilean_services.flows.schema import MAX_EDGES, MAX_NODES
from galilean_services.flows.settable import check_settable, reaching
from galilean_services.flows_service import handlers
from galilean_services.flows_service.access import VERBS, scope
from galilean_services.flows_service.app import make_app
from galilean_services.flows_service.config import ServiceConfig
from galilean_services.flows_service.service import FlowsService
from harness.client import HubClient
from harness.hub import Hub
from harness.processes import free_port

PREFIX = "/services/flows/"
EVERY_SCOPE = ["access:services!service=flows", *(scope(v) for v in VERBS)]


def user(name: str, scopes: list[str], groups: tuple[str, ...] = ()) -> dict[str, Any]:
    """A user model as the hub's /api/user gives it for a token."""
    return {"kind": "user", "name": name, "admin": False, "groups": list(groups), "scopes": scopes}


TOKENS = {
    "alice-token": user("alice", EVERY_SCOPE),
    "bob-token": user("bob", EVERY_SCOPE, ("team",)),
    "read-only-token": user("alice", [scope("read")]),
    "no-flows-token": user("alice", ["read:users:name!user=alice"]),
    "admin-token": {**user("root", EVERY_SCOPE), "admin": True},
}


class FakeHubAuth(HubOAuth):
    """HubOAuth with the hub's answer for a token looked up in TOKENS (the rest, the
    token's parsing and the scope check against `hub_scopes`, is JupyterHub's own)."""

    async def _check_hub_authorization(
        self, url: str, api_token: str, cache_key: str | None = None, use_cache: bool = True
    ) -> dict[str, Any] | None:
        model = TOKENS.get(api_token)
        return None if model is None else json.loads(json.dumps(model))


class Service:
    """The app on a free port; `call` sends a request as one of TOKENS."""

    def __init__(self, url: str, service: FlowsService) -> None:
        self.url = url
        self.service = service

    def call(
        self, method: str, path: str, body: Any = None, who: str = "alice",
        data: bytes | None = None,
    ) -> requests.Response:  # fmt: skip
        """`who`: the token `{who}-token` of TOKENS."""
        payload = data if data is not None else (None if body is None else json.dumps(body))
        return requests.request(
            method, self.url + path, data=payload, timeout=30,
            headers={"Authorization": f"token {who}-token"},
        )  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("flows-inprocess")
    port = free_port()
    config = ServiceConfig(
        db_url=f"sqlite:///{folder / 'flows.sqlite'}",
        files_root=str(folder / "users/{user}/home"),
        port=port,
        prefix=PREFIX,
    )
    service = FlowsService(config)
    started: list[str] = []
    # No run starts a worker here: these tests are about the HTTP surface.
    service.runs.start = lambda run_id, *args, **kwargs: started.append(run_id)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            handlers.BaseHandler, "_hub_auth", FakeHubAuth(api_url="http://127.0.0.1:9/hub/api")
        )
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        holder: dict[str, HTTPServer] = {}

        def serve() -> None:
            asyncio.set_event_loop(loop)
            holder["server"] = HTTPServer(make_app(config, service))
            holder["server"].listen(port, "127.0.0.1")
            loop.call_soon(ready.set)
            loop.run_forever()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        assert ready.wait(30)
        try:
            yield Service(f"http://127.0.0.1:{port}{PREFIX.rstrip('/')}", service)
        finally:
            loop.call_soon_threadsafe(holder["server"].stop)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            service.store.close()


@pytest.fixture(scope="module")
def flow_id(app: Service) -> int:
    reply = app.call("POST", "/api/flows", {"flow": inline_flow()})
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


BIG = 10**20
SURROGATE = "\ud800"


def bad_inputs(flow: int) -> list[tuple[str, str, Any, int, str]]:
    """(method, path, body, status, the field the error names)."""
    text_flow = json.dumps(inline_flow()).replace('"test flow"', '"\\ud800"')
    deep = b"[" * 100_000 + b"]" * 100_000
    return [
        ("GET", "/api/flows/99999999999999999999", None, 404, "flow_id"),
        ("PATCH", "/api/flows/99999999999999999999", {"name": "x"}, 404, "flow_id"),
        ("DELETE", "/api/flows/99999999999999999999", None, 404, "flow_id"),
        ("GET", "/api/flows/4294967296/runs", None, 404, "flow_id"),
        ("GET", f"/api/flows/{flow}/versions/99999999999999999999", None, 404, "number"),
        ("POST", f"/api/flows/{flow}/runs", {"version": BIG}, 400, "version"),
        ("POST", f"/api/flows/{flow}/runs", {"version": 2**40}, 404, "version"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "* * * * *", "version": BIG}, 400,
         "version"),
        ("PUT", f"/api/flows/{flow}/endpoint", {"name": "e", "version": BIG}, 400, "version"),
        ("POST", f"/api/flows/{flow}/runs", {"params": {"least": BIG}}, 400, "params.least"),
        ("POST", "/api/flows", deep, 400, "body"),
        ("POST", "/api/flows", {"flow": inline_flow(), "name": json.loads("[" * 70 + "]" * 70)},
         400, "name"),
        ("POST", "/api/flows", b'{"flow": NaN}', 400, "body"),
        ("POST", "/api/flows", b'{"flow": 1e999}', 400, "flow"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "0 0 31 2 *"}, 400, "cron"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "0 0 30 2 *"}, 400, "cron"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": 5}, 400, "cron"),
        ("POST", "/api/flows", {"flow": inline_flow(), "name": SURROGATE}, 400, "name"),
        ("POST", "/api/flows", {"flow": inline_flow(), "description": SURROGATE}, 400,
         "description"),
        ("PATCH", f"/api/flows/{flow}", {"name": SURROGATE}, 400, "name"),
        ("PATCH", f"/api/flows/{flow}", {"groups": ["team", SURROGATE]}, 400, "groups[1]"),
        ("POST", f"/api/flows/{flow}/versions", {"flow": inline_flow(), "message": SURROGATE},
         400, "message"),
        ("POST", "/api/flows", {"flow": inline_flow(name=SURROGATE)}, 400, "flow.name"),
        ("POST", "/api/flows", {"flow": text_flow}, 400, "flow"),
        ("POST", f"/api/flows/{flow}/runs", {"params": {SURROGATE: 1}}, 400,
         "params.\\ud800"),
        ("POST", "/api/flows", {"flow": 5}, 400, "flow"),
        ("POST", "/api/flows", {"flow": inline_flow(), "name": 5}, 400, "name"),
        ("POST", "/api/flows", {"flow": inline_flow(), "groups": "team"}, 400, "groups"),
        ("PATCH", f"/api/flows/{flow}", {"description": None}, 400, "description"),
        ("POST", f"/api/flows/{flow}/runs", {"params": [1]}, 400, "params"),
        ("POST", f"/api/flows/{flow}/runs", {"version": "1"}, 400, "version"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "* * * * *", "missed": []}, 400,
         "missed"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "* * * * *", "enabled": "yes"}, 400,
         "enabled"),
        ("PUT", f"/api/flows/{flow}/endpoint", {"name": ["e"]}, 400, "name"),
        ("PUT", f"/api/flows/{flow}/endpoint", {"name": "e", "public": "no"}, 400, "public"),
        ("POST", "/api/flows", [1, 2], 400, "body"),
    ]  # fmt: skip


def test_bad_inputs_are_refused_in_the_one_shape(app: Service, flow_id: int) -> None:
    answers = []
    for method, path, body, status, field in bad_inputs(flow_id):
        if isinstance(body, bytes):
            reply = app.call(method, path, data=body)
        else:
            reply = app.call(method, path, body)
        answers.append((method, path, reply.status_code))
        problem = error_of(reply, status)
        fields = [e.get("field") for e in problem["errors"]]
        assert field in fields, (method, path, problem)
    assert all(status < 500 for *_, status in answers)
    # Nothing of it was stored: the flow is as it was.
    flow = app.call("GET", f"/api/flows/{flow_id}").json()
    assert flow["name"] == "test flow"
    assert flow["schedule"] is None


def step_flow(kind: str, params: dict[str, Any], after: str = "") -> dict[str, Any]:
    """data → `n` (the node under test) → `later` (a filter on a column of `n`'s) → out;
    `after`: `later`'s condition, when there is one."""
    nodes = [
        inline_flow()["nodes"][0],
        {"id": "n", "kind": kind, "params": params},
        {"id": "out", "kind": "destination.display", "params": {}},
    ]
    if not after:
        return document(nodes, [("data", "n"), ("n", "out")])
    nodes.append({"id": "later", "kind": "transform.filter", "params": {"condition": after}})
    return document(nodes, [("data", "n"), ("n", "later"), ("later", "out")])


def chain(length: int, loop: bool = False) -> dict[str, Any]:
    """data → f0 → … → f<length-1> → out; `loop`: the last filter feeds the first one
    instead of `data`, making the flow one long cycle."""
    filters = [
        {"id": f"f{i}", "kind": "transform.filter", "params": {"condition": "x > 0"}}
        for i in range(length)
    ]
    ids = [f"f{i}" for i in range(length)] + ["out"]
    edges = [*pairwise(ids), (ids[-2], "f0") if loop else ("data", "f0")]
    return document([inline_flow()["nodes"][0], *filters, inline_flow()["nodes"][2]], edges)


def test_bad_flows_are_refused_naming_the_node(app: Service) -> None:
    """What the flow validation finds is a 400 whose issues name the node and the field,
    never a 500: SQL with an unclosed quote, params of the wrong shape (and nothing about
    the nodes after them), a dangling edge, a cycle through a long chain."""
    for flow, code, node, path in (
        (step_flow("transform.filter", {"condition": "'"}), "param", "n", "condition"),
        (step_flow("transform.filter", {"condition": "x = 'a"}), "param", "n", "condition"),
        (step_flow("transform.sql", {"query": "'"}), "param", "n", "query"),
        (step_flow("transform.sql", {"query": "SELECT /* x FROM input"}), "param", "n",
         "query"),
        (document([{"id": "n", "kind": "source.sql_query",
                    "params": {"connection": "c", "query": "SELECT '"}},
                   inline_flow()["nodes"][2]], [("n", "out")]), "param", "n", "query"),
        # Its columns are unknown: `later` is not told that `y` does not exist.
        (step_flow("transform.rename", {"mapping": []}, after="y > 0"), "param", "n",
         "mapping"),
    ):  # fmt: skip
        problem = error_of(app.call("POST", "/api/flows", {"flow": flow}), 400)
        issues = [(e["code"], e.get("node"), e.get("path")) for e in problem["errors"]]
        assert issues == [(code, node, path)], problem
    dangling = document([inline_flow()["nodes"][2]], [("ghost", "out")])  # no node "ghost"
    problem = error_of(app.call("POST", "/api/flows", {"flow": dangling}), 400)
    assert [(e["code"], e.get("edge")) for e in problem["errors"]] == [("edge", "e0")]
    # A long chain is checked without recursion: fine as it is, refused with a loop.
    accepted = app.call("POST", "/api/flows", {"flow": chain(1_500)})
    assert accepted.status_code == 201, accepted.text
    app.call("DELETE", f"/api/flows/{accepted.json()['id']}")  # not a target for the fuzzing
    problem = error_of(app.call("POST", "/api/flows", {"flow": chain(1_500, loop=True)}), 400)
    (cycle,) = problem["errors"]
    assert cycle["code"] == "cycle"
    assert len(cycle["nodes"]) == 1_500


def test_an_unclosed_quote_is_said_so(app: Service) -> None:
    flow = step_flow("transform.filter", {"condition": "region = 'north"})
    problem = error_of(app.call("POST", "/api/flows", {"flow": flow}), 400)
    assert problem["errors"][0]["message"] == (
        "not a valid SQL expression: a quote or a comment is not closed (Missing ' from 1:9)"
    )


def test_flows_too_big_are_refused_naming_nodes_or_edges(app: Service) -> None:
    many_nodes = chain(MAX_NODES - 1)  # data, the filters and out: one too many
    many_edges = chain(10)
    many_edges["edges"] += [
        {"id": f"x{i}", "from": {"node": "data"}, "to": {"node": "f0"}} for i in range(MAX_EDGES)
    ]
    for flow, key, limit in ((many_nodes, "nodes", MAX_NODES), (many_edges, "edges", MAX_EDGES)):
        problem = error_of(app.call("POST", "/api/flows", {"flow": flow}), 400)
        assert problem["errors"] == [{"field": "flow", "location": f"flow:$.{key}"}]
        assert f"at most {limit} {key} in a flow" in problem["error"]
        assert len(problem["error"]) < 200  # not the whole list back
    accepted = app.call("POST", "/api/flows", {"flow": chain(MAX_NODES - 2)})
    assert accepted.status_code == 201, accepted.text
    app.call("DELETE", f"/api/flows/{accepted.json()['id']}")  # not a target for the fuzzing


def test_another_users_run_is_not_confirmed_to_exist(app: Service, flow_id: int) -> None:
    run_id = app.service.store.create_run(flow_id, 1, "alice", "manual", {})
    for method, path in (("GET", f"/api/runs/{run_id}"), ("POST", f"/api/runs/{run_id}/cancel")):
        problem = error_of(app.call(method, path, who="bob"), 404)
        assert problem["error"] == f"run {run_id} does not exist"
        assert problem["errors"] == [{"field": "run_id"}]
        assert f"flow {flow_id}" not in problem["error"]
    missing = "0" * 32
    assert error_of(app.call("GET", f"/api/runs/{missing}"), 404)["error"] == (
        f"run {missing} does not exist"
    )
    assert app.call("GET", f"/api/runs/{run_id}").json()["id"] == run_id


def test_a_token_with_only_custom_flows_read_can_read(app: Service, flow_id: int) -> None:
    listed = app.call("GET", "/api/flows", who="read-only")
    assert listed.status_code == 200, listed.text
    assert flow_id in [f["id"] for f in listed.json()]
    assert app.call("GET", f"/api/flows/{flow_id}", who="read-only").status_code == 200
    for method, path, body, verb in (
        ("POST", "/api/flows", {"flow": inline_flow()}, "write"),
        ("POST", f"/api/flows/{flow_id}/runs", {}, "run"),
        ("PUT", f"/api/flows/{flow_id}/schedule", {"cron": "* * * * *"}, "write"),
    ):
        refused = error_of(app.call(method, path, body, who="read-only"), 403)
        assert scope(verb) in refused["error"]
        assert refused["errors"] == [{"field": "scope", "scope": scope(verb)}]
    # A token with none of the service's scopes is not let in at all.
    error_of(app.call("GET", "/api/flows", who="no-flows"), 401)
    error_of(app.call("GET", "/api/flows", who="unknown"), 401)


def test_openapi_documents_bodies_arguments_and_scopes(app: Service) -> None:
    doc = requests.get(f"{app.url}/api/openapi.json", timeout=30).json()
    runs = doc["paths"]["/api/flows/{flow_id}/runs"]["post"]
    assert runs["parameters"][0]["schema"] == {"type": "string", "pattern": "^\\d+$"}
    body = runs["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"version", "params"}
    assert "custom:flows:read" in doc["info"]["description"]
    assert "any one of the custom:flows:* scopes" in doc["info"]["description"]
    parameter = doc["components"]["schemas"]["Flow"]["properties"]["parameters"]["items"]
    assert parameter["properties"]["shared"] == {"type": "boolean", "default": False}
    assert "custom:flows:*" in (handlers.BaseHandler.__doc__ or "")


# -- sharing: which parameters others may set ---------------------------------------------


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
                [{"id": "a", "kind": "source.archive",
                  "params": {"member": {"$param": "m"}, "note": {"$param": "n"}}}],
                [],
                parameters=[{"name": "m", "type": "string", "shared": True},
                            {"name": "n", "type": "string", "shared": True}],
            )
        )
    )  # fmt: skip
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
        app.call("POST", runs, {"params": {"file": ".galilean/connections.json"}},
                 who="bob"),
        403,
    )  # fmt: skip
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


# -- schemathesis -----------------------------------------------------------------------------


def test_fuzzing_the_openapi_finds_no_500(app: Service) -> None:
    """Bounded and deterministic: 25 examples per operation and mode (fitting the schema,
    and not), as alice. Half the cases aim at a flow and a run that exist (random ids
    would mostly meet 404s), and half the fitting flow bodies carry a valid flow (a
    random one never passes validation), so the fuzzing reaches the service's checks."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable

    from galilean_services.flows_service.app import ROUTES
    from galilean_services.flows_service.openapi import document as openapi_document

    store = app.service.store
    content = json.dumps(inline_flow())

    def existing() -> dict[str, str]:
        """A flow of alice's (made again when a case deleted it) and one of its runs."""
        mine = [f for f in store.list_flows() if f["owner"] == "alice"]
        flow = mine[-1] if mine else store.create_flow("alice", "target", content)
        runs = store.list_runs(flow["id"])
        run = runs[0]["id"] if runs else store.create_run(flow["id"], 1, "alice", "manual", {})
        return {"flow_id": str(flow["id"]), "number": "1", "run_id": run}

    schema = schemathesis.openapi.from_dict(openapi_document(ROUTES, PREFIX))
    served: list[tuple[str, str, int]] = []
    began = time.monotonic()

    def fuzz(operation: Any, mode: Any) -> None:
        positive = mode.is_positive

        @settings(
            max_examples=25, derandomize=True, deadline=None, database=None,
            suppress_health_check=list(HealthCheck), print_blob=False,
        )  # fmt: skip
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: Any) -> None:
            if len(served) % 2:
                ids = existing()
                case.path_parameters = {
                    k: ids.get(k, v) for k, v in (case.path_parameters or {}).items()
                }
                if positive and isinstance(case.body, dict) and "flow" in case.body:
                    case.body["flow"] = inline_flow()
            # Alice's token, also where a case made up its own (or dropped it).
            case.headers = {**(case.headers or {}), "Authorization": "token alice-token"}
            reply = case.call(base_url=app.url, timeout=30)
            served.append((case.method, operation.path, reply.status_code))
            assert reply.status_code < 500, (case.method, case.formatted_path, reply.text)

        try:
            call()
        except Unsatisfiable:  # negative: nothing to break in an operation without input
            assert not positive

    for result in schema.get_all_operations():
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            fuzz(result.ok(), mode)
    reached = {(m, p) for m, p, status in served if status < 300}
    assert len(reached) >= 20, sorted(reached)  # most operations answered, not just refused
    assert time.monotonic() - began < 120


# -- on a real hub ----------------------------------------------------------------------------

hub = hub_fixture("hostile-inputs-hub")


@pytest.fixture(scope="module")
def people(hub: Hub) -> dict[str, HubClient]:
    wait_ready(hub.url)
    admin = admin_client(hub)
    return {"admin": admin, **{n: approved_user(hub, admin, n) for n in ("alice", "bob")}}


def read_only_token(hub: Hub, person: HubClient) -> str:
    """A token made with custom:flows:read alone (no access:services!service=flows)."""
    made = person.http.post(
        f"{hub.url}/hub/api/users/{person.username}/tokens",
        json={"scopes": ["custom:flows:read"]},
        headers={"X-XSRFToken": person.xsrf_cookie()},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def test_on_the_real_hub(hub: Hub, people: dict[str, HubClient]) -> None:
    alice, bob = Flows.of(people["alice"]), Flows.of(people["bob"])
    flow = alice.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)
    # Bad input through the proxy.
    error_of(alice.call("GET", "/api/flows/99999999999999999999"), 404)
    deep = alice.call("POST", "/api/flows", None, data=b"[" * 100_000 + b"]" * 100_000)
    assert error_of(deep, 400)["errors"] == [{"field": "body"}]
    cron = alice.call("PUT", f"/api/flows/{flow['id']}/schedule", {"cron": "0 0 31 2 *"})
    assert error_of(cron, 400)["errors"] == [{"field": "cron"}]
    # Another user's run.
    run = alice.ok("POST", f"/api/flows/{flow['id']}/runs", {}, 202)
    hidden = error_of(bob.call("GET", f"/api/runs/{run['id']}"), 404)
    assert hidden["error"] == f"run {run['id']} does not exist"
    # A token made with custom:flows:read only (no access:services) reads, and is refused
    # writes with the scope named.
    narrow = Flows(hub.url, read_only_token(hub, people["alice"]))
    assert [f["id"] for f in narrow.ok("GET", "/api/flows")] == [flow["id"]]
    refused = error_of(narrow.call("POST", f"/api/flows/{flow['id']}/runs", {}), 403)
    assert "custom:flows:run" in refused["error"]
    # The hub's model for such a token still has the user's groups: shared flows show.
    team = people["admin"].api("POST", "/groups/team", json={"users": ["bob"]})
    assert team.status_code == 201, team.text
    alice.ok("PATCH", f"/api/flows/{flow['id']}", {"groups": ["team"]})
    bobs = Flows(hub.url, read_only_token(hub, people["bob"]))
    assert [f["id"] for f in bobs.ok("GET", "/api/flows")] == [flow["id"]]
    alice.wait_run(run["id"])
