"""The pipeline designer's endpoints on the server extension (in-process): the catalogue
(third-party kinds included), validation with each node's columns, a preview that reuses
the user's on-disk result cache, the SQL the engine runs; every 400 and 404 in the one
error shape, the engine off the event loop, every endpoint authorized."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pytest
import requests
from designer_server import serve_designer
from extension_server import REFUSED, Served
from traitlets.utils.importstring import import_item

from galilean_server.app import DESIGNER_CLASS
from galilean_server.flows_designer import FlowsDesigner, plain
from galilean_services.flows.kinds import register_builtin
from galilean_services.flows.registry import CompileContext, EagerKind, Registry

EXAMPLES = Path(__file__).parents[2] / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "work/flows/sales_by_region.flow"  # relative to the server's root
SHAPE = {"ok", "error", "errors", "status"}
GATE = threading.Event()  # the gate kind's rows wait for it


class GateSource(EagerKind):
    """A third party's source kind whose rows wait for GATE (a slow engine)."""

    name = "acme.gate"
    title = "Gate"
    category = "source"
    inputs = ()
    params_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        GATE.wait(30)
        return pa.table({"n": [1, 2]})


def registry() -> Registry:
    made = Registry()
    register_builtin(made)
    made.register(GateSource())
    return made


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("GALILEAN_USER_HOME", str(tmp_path / "home"))
    root = tmp_path / "root"
    shutil.copytree(EXAMPLES, root / "work" / "flows")
    (tmp_path / "outside").mkdir()
    (root / "work" / "escape").symlink_to(tmp_path / "outside")
    with serve_designer(FlowsDesigner(root, registry()), tmp_path / "home") as served:
        yield served


def sales() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "sales_by_region.flow").read_text())
    return data


def with_params(node_id: str, **params: Any) -> dict[str, Any]:
    flow = sales()
    next(n for n in flow["nodes"] if n["id"] == node_id)["params"].update(params)
    return flow


def ok(reply: requests.Response) -> dict[str, Any]:
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def error(reply: requests.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body: dict[str, Any] = reply.json()
    assert set(body) == SHAPE
    assert body["status"] == status
    assert "Traceback" not in reply.text
    return body


def test_the_catalogue_lists_every_kind_third_parties_included(server: Served) -> None:
    kinds = {k["kind"]: k for k in ok(server.call("GET", "/galilean/flows/kinds"))["kinds"]}
    assert {"source.file", "transform.aggregate", "destination.display", "acme.gate"} <= set(kinds)
    join = kinds["transform.join"]
    assert join["category"] == "transform"
    assert join["inputs"] == ["left", "right"]
    assert join["params_schema"]["type"] == "object"
    assert {k["category"] for k in kinds.values()} == {
        "source",
        "transform",
        "destination",
        "control",
    }


def test_validate_gives_no_issues_and_each_nodes_columns(server: Served) -> None:
    body = ok(server.call("POST", "/galilean/flows/validate", {"path": FLOW, "content": sales()}))
    assert body["ok"] is True
    assert body["issues"] == []
    columns = body["columns"]
    assert columns["orders"] == [
        "order_id",
        "order_date",
        "region",
        "customer_id",
        "product",
        "amount",
    ]
    assert columns["per_region"] == ["region", "revenue", "orders", "average_order"]
    assert columns["show"] == columns["biggest_first"] == columns["per_region"]


def test_validate_names_the_node_of_each_problem_unsaved_content(server: Served) -> None:
    flow = with_params("big_orders", condition="amont >= :min_amount")
    flow["nodes"].append({"id": "lonely", "kind": "transform.sort", "params": {"keys": []}})
    body = ok(server.call("POST", "/galilean/flows/validate", {"path": FLOW, "content": flow}))
    assert body["ok"] is False
    at = {(i["code"], i.get("node")) for i in body["issues"]}
    assert ("unknown-column", "big_orders") in at
    assert ("missing-input", "lonely") in at
    assert body["columns"]["big_orders"] is None
    assert body["columns"]["orders"] is not None


def test_a_flow_file_that_does_not_exist_yet_is_validated_from_its_folder(server: Served) -> None:
    body = {"path": "work/flows/Untitled.flow", "content": sales()}
    assert ok(server.call("POST", "/galilean/flows/validate", body))["ok"] is True


def test_preview_gives_first_rows_and_reuses_the_blocking_node(
    server: Served, tmp_path: Path
) -> None:
    body = {"path": FLOW, "content": sales(), "node": "show", "limit": 2}
    first = ok(server.call("POST", "/galilean/flows/preview", body))
    assert first["node"] == "show"
    assert first["rows_shown"] == 2 == len(first["rows"])
    names = [c["name"] for c in first["columns"]]
    assert names == ["region", "revenue", "orders", "average_order"]
    assert first["columns"][2]["type"] == "int64"
    assert first["reused"] == []
    assert first["engine"] == "duckdb"
    assert isinstance(first["elapsed_ms"], float)
    assert list((tmp_path / "home" / ".galilean" / "cache" / "flows").glob("*.parquet"))
    again = ok(server.call("POST", "/galilean/flows/preview", body))
    assert again["reused"] == ["per_region"]
    assert again["rows"] == first["rows"]


def test_preview_takes_the_flows_parameters(server: Served) -> None:
    body = {"path": FLOW, "content": sales(), "node": "big_orders"}
    by_default = ok(server.call("POST", "/galilean/flows/preview", body))["rows_shown"]
    answer = ok(
        server.call("POST", "/galilean/flows/preview", {**body, "params": {"min_amount": 0}})
    )
    assert answer["rows_shown"] == 40 > by_default  # every row of sales.csv
    assert answer["rows"][0][1] == "2026-02-08"  # a date, as ISO text


def test_a_node_failing_at_run_time_is_400_naming_it(server: Served) -> None:
    flow = with_params("big_orders", condition="CAST(product AS INTEGER) > 1")
    body = {"path": FLOW, "content": flow, "node": "big_orders"}
    answer = error(server.call("POST", "/galilean/flows/preview", body), 400)
    assert answer["errors"] == [{"node": "big_orders"}]
    assert answer["error"].startswith("big_orders: Conversion Error")


def test_a_failure_upstream_names_the_node_at_fault(server: Served) -> None:
    body = {"path": FLOW, "content": with_params("orders", path="gone.csv"), "node": "show"}
    answer = error(server.call("POST", "/galilean/flows/preview", body), 400)
    assert answer["errors"] == [{"node": "orders"}], answer


def test_code_is_the_sql_the_engine_runs(server: Served) -> None:
    one = ok(
        server.call(
            "POST", "/galilean/flows/code", {"path": FLOW, "content": sales(), "node": "per_region"}
        )
    )
    assert one["sql"].startswith("-- per_region (transform.aggregate)")
    assert "GROUP BY" in one["sql"]
    assert "sales.csv" in one["sql"]
    assert "50" in one["sql"]
    whole = ok(server.call("POST", "/galilean/flows/code", {"path": FLOW, "content": sales()}))
    assert whole["sql"].startswith("-- show (destination.display)")


def test_code_names_an_eager_nodes_table(server: Served) -> None:
    flow = sales()
    flow["nodes"][0] = {"id": "orders", "kind": "acme.gate", "params": {}}
    answer = ok(server.call("POST", "/galilean/flows/code", {"path": FLOW, "content": flow}))
    assert answer["sql"].startswith(
        '-- orders (acme.gate): rows made in Python, kept as "eager_orders"'
    )


PREVIEW, VALIDATE, CODE = (
    "/galilean/flows/preview",
    "/galilean/flows/validate",
    "/galilean/flows/code",
)
GOOD: dict[str, Any] = {"path": FLOW, "node": "show"}
# (endpoint, body without content (sales() is added unless given), status, the field)
BAD = [
    (VALIDATE, {}, 400, "path"),
    (VALIDATE, {"path": ""}, 400, "path"),
    (VALIDATE, {"path": 3}, 400, "path"),
    (VALIDATE, {"path": "../x.flow"}, 400, "path"),
    (VALIDATE, {"path": "/etc/x.flow"}, 400, "path"),
    (VALIDATE, {"path": "work/escape/x.flow"}, 400, "path"),
    (VALIDATE, {"path": "work/nowhere/x.flow"}, 400, "path"),
    (PREVIEW, {**GOOD, "path": "../../x.flow"}, 400, "path"),
    (CODE, {"path": "../x.flow"}, 400, "path"),
    (VALIDATE, {"path": FLOW, "content": None}, 400, "content"),
    (VALIDATE, {"path": FLOW, "content": [1]}, 400, "content"),
    (VALIDATE, {"path": FLOW, "content": {"galilean_flow": 1}}, 400, "content"),
    (PREVIEW, {**GOOD, "content": "{not json"}, 400, "content"),
    (PREVIEW, {"path": FLOW}, 400, "node"),
    (PREVIEW, {**GOOD, "node": 7}, 400, "node"),
    (PREVIEW, {**GOOD, "node": "nosuch"}, 404, "node"),
    (CODE, {"path": FLOW, "node": "nosuch"}, 404, "node"),
    (PREVIEW, {**GOOD, "limit": 0}, 400, "limit"),
    (PREVIEW, {**GOOD, "limit": 1001}, 400, "limit"),
    (PREVIEW, {**GOOD, "limit": "5"}, 400, "limit"),
    (PREVIEW, {**GOOD, "limit": True}, 400, "limit"),
    (PREVIEW, {**GOOD, "limit": 2.5}, 400, "limit"),
    (PREVIEW, {**GOOD, "params": []}, 400, "params"),
    (PREVIEW, {**GOOD, "params": {"min_amount": "lots"}}, 400, "params.min_amount"),
    (PREVIEW, {**GOOD, "params": {"nosuch": 1}}, 400, "params.nosuch"),
    (CODE, {"path": FLOW, "params": {"min_amount": "lots"}}, 400, "params.min_amount"),
]


@pytest.mark.parametrize(("path", "body", "status", "field"), BAD)
def test_bad_requests_name_the_field(
    server: Served, path: str, body: dict[str, Any], status: int, field: str
) -> None:
    sent = {"content": sales(), **body}
    answer = error(server.call("POST", path, sent), status)
    assert {"field": field} in [{"field": e.get("field")} for e in answer["errors"]]


def test_a_parse_error_gives_the_parsers_message(server: Served) -> None:
    content = {"galilean_flow": 2, "name": "x", "nodes": [], "edges": []}
    answer = error(server.call("POST", VALIDATE, {"path": FLOW, "content": content}), 400)
    assert "unsupported flow version 2" in answer["error"]


def test_an_invalid_flow_cannot_be_previewed_each_problem_named(server: Served) -> None:
    flow = with_params("big_orders", condition="amont > 1")
    answer = error(server.call("POST", PREVIEW, {**GOOD, "content": flow}), 400)
    assert {"node": "big_orders"}.items() <= answer["errors"][0].items()


def test_a_body_that_is_not_json_is_400(server: Served) -> None:
    answer = error(server.call("POST", PREVIEW, raw=b'{"path": '), 400)
    assert answer["errors"] == [{"field": "body"}]


def test_the_engine_runs_off_the_event_loop(server: Served) -> None:
    flow = sales()
    flow["nodes"][0] = {"id": "orders", "kind": "acme.gate", "params": {}}
    flow["edges"] = [{"id": "e1", "from": {"node": "orders"}, "to": {"node": "show"}}]
    flow["nodes"] = [flow["nodes"][0], flow["nodes"][-1]]
    GATE.clear()
    replies: list[requests.Response] = []
    body = {"path": FLOW, "content": flow, "node": "show"}
    slow = threading.Thread(target=lambda: replies.append(server.call("POST", PREVIEW, body)))
    slow.start()
    try:
        assert ok(server.call("GET", "/galilean/flows/kinds"))["kinds"]  # answered meanwhile
        assert not replies
    finally:
        GATE.set()
        slow.join(30)
    assert ok(replies[0])["rows"] == [[1], [2]]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/galilean/flows/kinds"), ("POST", PREVIEW), ("POST", VALIDATE), ("POST", CODE)],
)
def test_another_user_or_nobody_is_refused(server: Served, method: str, path: str) -> None:
    body = {"content": sales(), **GOOD}
    for user in (REFUSED, None):
        answer = error(server.call(method, path, body, user=user), 403)
        assert "rows" not in answer


def test_values_are_json_a_browser_reads_exactly() -> None:
    values = [float("nan"), float("inf"), 2**60, -(2**53), dt.date(2026, 1, 2), {"a": [1.5, None]}]
    assert plain(values) == ["nan", "inf", str(2**60), -(2**53), "2026-01-02", {"a": [1.5, None]}]


def test_the_server_starts_without_importing_the_engine() -> None:
    code = "import sys, galilean_server.app as a; "
    code += "a.GalileanServerApp(); print('polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert import_item(DESIGNER_CLASS) is FlowsDesigner  # what the first request makes


def test_columns_follow_joins_and_stop_at_what_only_a_run_knows(server: Served) -> None:
    content = json.loads((EXAMPLES / "customer_segments.flow").read_text())
    content["nodes"][0] = {"id": "orders", "kind": "acme.gate", "params": {}}  # rows at run time
    body = {"path": "work/flows/customer_segments.flow", "content": content}
    columns = ok(server.call("POST", VALIDATE, body))["columns"]
    assert columns["in_country"] is not None
    assert "segment" in columns["in_country"]
    assert columns["orders"] is None
    assert columns["with_customer"] is None
    content["nodes"][0] = json.loads((EXAMPLES / "customer_segments.flow").read_text())["nodes"][0]
    columns = ok(server.call("POST", VALIDATE, body))["columns"]
    assert columns["per_segment"] == ["segment", "revenue", "customers"]
    assert {"amount", "segment"} <= set(columns["with_customer"])


def test_previews_keep_to_the_budget_the_hub_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    from traitlets import TraitError

    from galilean_server.app import GalileanServerApp

    monkeypatch.setenv("GALILEAN_FLOWS_MEMORY_LIMIT", "1GB")
    assert GalileanServerApp().flows_memory_limit == "1GB"
    monkeypatch.setenv("GALILEAN_FLOWS_MEMORY_LIMIT", "lots")
    with pytest.raises(TraitError, match=r"GALILEAN_FLOWS_MEMORY_LIMIT.*must have a number"):
        _ = GalileanServerApp().flows_memory_limit
