"""The flows service's HTTP surface under bad and hostile input, in this process
(tests/flows_app.py): every refusal is a 400 or 404 (or 401/403) in the one JSON error
shape naming the field, never a 500; the schemathesis fuzz of the OpenAPI document. The
same through the hub's proxy: tests/integration/test_flows_hostile_inputs.py."""

from __future__ import annotations

import json
import time
from itertools import pairwise
from typing import Any

import pytest
from flows_api import document, error_of, inline_flow
from flows_app import PREFIX, Service, app_fixture

from galilean_services.flows.schema import MAX_EDGES, MAX_NODES

app = app_fixture("flows-inputs")


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
        (
            "PUT",
            f"/api/flows/{flow}/schedule",
            {"cron": "* * * * *", "version": BIG},
            400,
            "version",
        ),
        ("PUT", f"/api/flows/{flow}/endpoint", {"name": "e", "version": BIG}, 400, "version"),
        ("POST", f"/api/flows/{flow}/runs", {"params": {"least": BIG}}, 400, "params.least"),
        ("POST", "/api/flows", deep, 400, "body"),
        (
            "POST",
            "/api/flows",
            {"flow": inline_flow(), "name": json.loads("[" * 70 + "]" * 70)},
            400,
            "name",
        ),
        ("POST", "/api/flows", b'{"flow": NaN}', 400, "body"),
        ("POST", "/api/flows", b'{"flow": 1e999}', 400, "flow"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "0 0 31 2 *"}, 400, "cron"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "0 0 30 2 *"}, 400, "cron"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": 5}, 400, "cron"),
        ("POST", "/api/flows", {"flow": inline_flow(), "name": SURROGATE}, 400, "name"),
        (
            "POST",
            "/api/flows",
            {"flow": inline_flow(), "description": SURROGATE},
            400,
            "description",
        ),
        ("PATCH", f"/api/flows/{flow}", {"name": SURROGATE}, 400, "name"),
        ("PATCH", f"/api/flows/{flow}", {"groups": ["team", SURROGATE]}, 400, "groups[1]"),
        (
            "POST",
            f"/api/flows/{flow}/versions",
            {"flow": inline_flow(), "message": SURROGATE},
            400,
            "message",
        ),
        ("POST", "/api/flows", {"flow": inline_flow(name=SURROGATE)}, 400, "flow.name"),
        ("POST", "/api/flows", {"flow": text_flow}, 400, "flow"),
        ("POST", f"/api/flows/{flow}/runs", {"params": {SURROGATE: 1}}, 400, "params.\\ud800"),
        ("POST", "/api/flows", {"flow": 5}, 400, "flow"),
        ("POST", "/api/flows", {"flow": inline_flow(), "name": 5}, 400, "name"),
        ("POST", "/api/flows", {"flow": inline_flow(), "groups": "team"}, 400, "groups"),
        ("PATCH", f"/api/flows/{flow}", {"description": None}, 400, "description"),
        ("POST", f"/api/flows/{flow}/runs", {"params": [1]}, 400, "params"),
        ("POST", f"/api/flows/{flow}/runs", {"version": "1"}, 400, "version"),
        ("PUT", f"/api/flows/{flow}/schedule", {"cron": "* * * * *", "missed": []}, 400, "missed"),
        (
            "PUT",
            f"/api/flows/{flow}/schedule",
            {"cron": "* * * * *", "enabled": "yes"},
            400,
            "enabled",
        ),
        ("PUT", f"/api/flows/{flow}/endpoint", {"name": ["e"]}, 400, "name"),
        ("PUT", f"/api/flows/{flow}/endpoint", {"name": "e", "public": "no"}, 400, "public"),
        ("POST", "/api/flows", [1, 2], 400, "body"),
    ]


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
        (step_flow("transform.sql", {"query": "SELECT /* x FROM input"}), "param", "n", "query"),
        (
            document(
                [
                    {
                        "id": "n",
                        "kind": "source.sql_query",
                        "params": {"connection": "c", "query": "SELECT '"},
                    },
                    inline_flow()["nodes"][2],
                ],
                [("n", "out")],
            ),
            "param",
            "n",
            "query",
        ),
        # Its columns are unknown: `later` is not told that `y` does not exist.
        (step_flow("transform.rename", {"mapping": []}, after="y > 0"), "param", "n", "mapping"),
    ):
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
            max_examples=25,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
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
