"""`POST /galilean/flows/lineage` on the server extension: a column's origins and the nodes
on its way, for the flow the designer holds; a bad node or column is named, never a 500;
only the server's owner may ask."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from designer_server import serve_designer
from extension_server import REFUSED, Served

from galilean_server.flows_designer import FlowsDesigner

EXAMPLES = Path(__file__).parents[2] / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "work/flows/sales_by_region.flow"
LINEAGE = "/galilean/flows/lineage"
SHAPE = {"ok", "error", "errors", "status"}


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("GALILEAN_USER_HOME", str(tmp_path / "home"))
    root = tmp_path / "root"
    shutil.copytree(EXAMPLES, root / "work" / "flows")
    with serve_designer(FlowsDesigner(root), tmp_path / "home") as served:
        yield served


def body(**extra: Any) -> dict[str, Any]:
    content = json.loads((EXAMPLES / "sales_by_region.flow").read_text())
    return {"path": FLOW, "content": content, "node": "show", "column": "revenue", **extra}


def failed(reply: requests.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    answer: dict[str, Any] = reply.json()
    assert set(answer) == SHAPE
    assert answer["status"] == status
    return answer


def test_a_column_is_traced_to_its_source_through_the_aggregate(server: Served) -> None:
    reply = server.call("POST", LINEAGE, body())
    assert reply.status_code == 200, reply.text
    answer = reply.json()
    assert (answer["node"], answer["column"]) == ("show", "revenue")
    assert answer["origins"] == [{"node": "orders", "column": "amount"}]
    by_node = {s["node"]: s["role"] for s in answer["path"]}
    assert by_node == {
        "orders": "source",
        "big_orders": "filters",
        "per_region": "derives",
        "biggest_first": "passes",
        "show": "passes",
    }
    assert answer["unknown"] == []


@pytest.mark.parametrize(
    ("sent", "status", "field"),
    [
        ({"column": "nope"}, 400, "column"),
        ({"column": ""}, 400, "column"),
        ({"column": 3}, 400, "column"),
        ({"node": None}, 400, "node"),
        ({"node": "nosuch"}, 404, "node"),
        ({"path": ""}, 400, "path"),
        ({"params": {"min_amount": "lots"}}, 400, "params.min_amount"),
    ],
)
def test_bad_requests_name_the_field(
    server: Served, sent: dict[str, Any], status: int, field: str
) -> None:
    answer = failed(server.call("POST", LINEAGE, body(**sent)), status)
    assert field in [e.get("field") for e in answer["errors"]]


def test_another_user_or_nobody_is_refused(server: Served) -> None:
    for user in (REFUSED, None):
        answer = failed(server.call("POST", LINEAGE, body(), user=user), 403)
        assert "origins" not in answer
