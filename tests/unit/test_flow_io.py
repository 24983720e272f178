"""Excel in and out, and an HTTP JSON API (a real local server), as flow nodes."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from galilean_services.flows import parse_flow, validate
from galilean_services.flows.runner import run
from harness.local_http import QuietHandler, serving
from harness.processes import closed_port


def chain(*nodes: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> Any:
    edges = [
        {"id": f"e{i}", "from": {"node": a["id"]}, "to": {"node": b["id"]}}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    doc = {"galilean_flow": 1, "name": "io", "nodes": list(nodes), "edges": edges}
    if parameters:
        doc["parameters"] = parameters
    return parse_flow(json.dumps(doc))


def test_excel_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"item": ["a", "b", "c"], "qty": [3, 0, 7], "price": [1.5, 2.0, None]})
    frame.to_excel(tmp_path / "stock.xlsx", sheet_name="stock", index=False)
    flow = chain(
        {"id": "sheet", "kind": "source.excel", "params": {"path": "stock.xlsx", "sheet": "stock"}},
        {"id": "some", "kind": "transform.filter", "params": {"condition": "qty > 0"}},
        {"id": "save", "kind": "destination.excel", "params": {"path": "out/in-stock.xlsx"}},
    )
    outcome = run(flow, base_dir=tmp_path)
    assert outcome.status == "succeeded", outcome.error
    written = pd.read_excel(tmp_path / "out" / "in-stock.xlsx", sheet_name="data")
    expected = frame[frame.qty > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)
    assert outcome.nodes["some"] == {"rows_in": 3, "rows_out": 2}
    assert not list((tmp_path / "out").glob("*.partial"))


def test_missing_sheet_file_is_a_failed_run_naming_the_node(tmp_path: Path) -> None:
    flow = chain(
        {"id": "sheet", "kind": "source.excel", "params": {"path": "nope.xlsx"}},
        {"id": "show", "kind": "destination.display", "params": {}},
    )
    outcome = run(flow, base_dir=tmp_path)
    assert outcome.status == "failed"
    assert outcome.error == {"node": "sheet", "message": "no file 'nope.xlsx' in the flow's folder"}
    bad = chain(
        {
            "id": "save_src",
            "kind": "source.inline",
            "params": {"columns": [{"name": "a"}], "rows": [[1]]},
        },
        {"id": "save", "kind": "destination.excel", "params": {"path": "../x.xlsx"}},
    )
    assert [(i.node, i.path) for i in validate(bad)] == [("save", "path")]


class Api(QuietHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/broken"):
            self.send_response(500)
            self.end_headers()
            return
        region = self.path.partition("region=")[2] or "all"
        body = {
            "data": {
                "items": [
                    {"id": 1, "region": region, "sales": {"q1": 10, "q2": 12}},
                    {"id": 2, "region": region, "sales": {"q1": 5, "q2": 7}},
                ]
            }
        }
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    received: ClassVar[list[tuple[str, str, Any]]] = []  # (path, authorization, body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        Api.received.append((self.path, self.headers.get("Authorization", ""), body))
        self.send_response(403 if self.path.startswith("/refuse") else 204)
        self.end_headers()


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with serving(Api) as url:
        yield url


def test_http_json_source_with_records_path_and_parameters(api: str) -> None:
    flow = chain(
        {
            "id": "sales",
            "kind": "source.http_json",
            "params": {
                "url": f"{api}/sales",
                "records_path": "data.items",
                "query": {"region": {"$param": "region"}},
            },
        },
        {
            "id": "total",
            "kind": "transform.add_column",
            "params": {"name": "h1", "expression": '"sales.q1" + "sales.q2"'},
        },
        {"id": "show", "kind": "destination.display", "params": {}},
        parameters=[{"name": "region", "type": "string", "default": "north"}],
    )
    outcome = run(flow, {"region": "south"})
    assert outcome.status == "succeeded", outcome.error
    rows = outcome.outputs["show"].to_pylist()
    assert [(r["id"], r["region"], r["h1"]) for r in rows] == [(1, "south", 22), (2, "south", 12)]


def test_http_errors_are_failed_runs(api: str) -> None:
    with closed_port() as port:
        failing = [
            (f"{api}/broken", "answered HTTP 500"),
            (f"http://127.0.0.1:{port}/", "cannot reach"),
        ]
        for url, message in failing:
            flow = chain(
                {"id": "remote", "kind": "source.http_json", "params": {"url": url}},
                {"id": "show", "kind": "destination.display", "params": {}},
            )
            outcome = run(flow)
            assert outcome.status == "failed"
            assert outcome.error is not None
            assert outcome.error["node"] == "remote"
            assert message in outcome.error["message"]


def test_http_request_and_webhook_destinations(api: str) -> None:
    Api.received.clear()
    rows = [[i, f"item {i}", f"2026-01-0{i}"] for i in range(1, 6)]
    source = {
        "id": "data",
        "kind": "source.inline",
        "params": {
            "columns": [
                {"name": "id", "type": "BIGINT"},
                {"name": "name"},
                {"name": "day", "type": "DATE"},
            ],
            "rows": rows,
        },
    }
    nodes: list[dict[str, Any]] = [
        source,
        {"id": "big", "kind": "transform.filter", "params": {"condition": "id >= 2"}},
        {
            "id": "send",
            "kind": "destination.http",
            "params": {
                "url": f"{api}/ingest",
                "batch_size": 3,
                "headers": {"Authorization": {"$param": "token"}},
            },
        },
        {
            "id": "tell",
            "kind": "destination.webhook",
            "params": {"url": f"{api}/hook", "message": "sent {rows} rows"},
        },
    ]
    edges = [
        {"id": "e1", "from": {"node": "data"}, "to": {"node": "big"}},
        {"id": "e2", "from": {"node": "big"}, "to": {"node": "send"}},
        {"id": "e3", "from": {"node": "big"}, "to": {"node": "tell"}},
    ]
    doc = {
        "galilean_flow": 1,
        "name": "out",
        "nodes": nodes,
        "edges": edges,
        "parameters": [{"name": "token", "type": "string", "default": ""}],
    }
    outcome = run(parse_flow(json.dumps(doc)), {"token": "Bearer s3cret"})
    assert outcome.status == "succeeded", outcome.error
    ingest = [body for path, _, body in Api.received if path == "/ingest"]
    assert [len(b) for b in ingest] == [3, 1]
    assert [r["id"] for b in ingest for r in b] == [2, 3, 4, 5]
    assert ingest[0][0] == {"id": 2, "name": "item 2", "day": "2026-01-02"}
    assert {auth for path, auth, _ in Api.received if path == "/ingest"} == {"Bearer s3cret"}
    hook = [body for path, _, body in Api.received if path == "/hook"]
    assert hook == [{"text": "sent 4 rows", "rows": 4}]
    assert "s3cret" not in " ".join(outcome.logs)

    nodes[2]["params"]["url"] = f"{api}/refuse"
    failed = run(parse_flow(json.dumps(doc)), {"token": "Bearer s3cret"})
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error["node"] == "send"
    assert "HTTP 403" in failed.error["message"]
    assert "s3cret" not in json.dumps(failed.error)
