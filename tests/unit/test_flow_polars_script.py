"""Show as code as a Polars script: the script, run in a fresh namespace in a folder of its
own holding the inputs, gives what the engine gives (engine="polars") for every output,
NULLs included, for the example flows and for flows covering every built-in kind that
runs without a connection or the network; nodes with no Polars code go through DuckDB
and still agree; the designer's /code endpoint refuses an unknown language."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from designer_server import serve_designer
from extension_server import Served
from flow_builders import ORDERS, REGIONS, document, edge, flow_of, inline, normalized

from galilean_server.flows_designer import FlowsDesigner
from galilean_services.flows import Flow, parse_flow
from galilean_services.flows.polars_runner import arrow_of
from galilean_services.flows.polars_script import polars_script
from galilean_services.flows.runner import run

EXAMPLES = Path(__file__).parents[2] / "extensions" / "galilean_server" / "examples" / "flows"


def outputs_agree(
    flow: Flow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    inputs: Path | None = None,
    params: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> str:
    """Run `flow` on the engine in one folder and its script in another (both holding
    `inputs`); every displayed output and every file written must agree. The script."""
    engine_dir, script_dir = tmp_path / "engine", tmp_path / "script"
    for folder in (engine_dir, script_dir):
        if inputs is not None:
            shutil.copytree(inputs, folder)
        folder.mkdir(exist_ok=True)
    before = files_in(engine_dir)
    outcome = run(flow, params, base_dir=engine_dir, engine="polars", targets=targets)
    assert outcome.status == "succeeded", outcome.error
    script = polars_script(flow, params, targets, base_dir=engine_dir)
    monkeypatch.chdir(script_dir)
    namespace: dict[str, Any] = {}
    exec(compile(script, "<flow script>", "exec"), namespace)  # noqa: S102 (the test's point)
    assert outcome.outputs, "nothing to compare"
    for node, table in outcome.outputs.items():
        assert normalized(arrow_of(namespace[node])) == normalized(table), (node, script)
    written = files_in(engine_dir) - before
    assert files_in(script_dir) - before == written
    for path in written:
        assert normalized(read(script_dir / path)) == normalized(read(engine_dir / path)), path
    return script


def files_in(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}


def read(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    if path.suffix == ".xlsx":
        return pa.Table.from_pandas(pd.read_excel(path))
    return pacsv.read_csv(path)


def section(script: str, node: str) -> str:
    """The script's lines for `node`, from its comment to the next blank line."""
    start = script.index(f"\n# {node} (")
    return script[start : script.index("\n\n", start + 1)]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.flow")))
def test_each_example_flows_script_gives_the_engines_outputs(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = parse_flow((EXAMPLES / name).read_text())
    script = outputs_agree(flow, tmp_path, monkeypatch, inputs=EXAMPLES)
    assert script.count("\nimport polars as pl\n") == 1
    assert "\nparams = {" in script


def test_a_parameter_is_read_from_the_params_dict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = parse_flow((EXAMPLES / "sales_by_region.flow").read_text())
    script = outputs_agree(flow, tmp_path, monkeypatch, EXAMPLES, {"min_amount": 120})
    assert "params = {'min_amount': 120.0}" in script
    assert 'params["min_amount"]' in section(script, "big_orders")


REGION_JOIN = [
    {"id": "regions", **inline(REGIONS)},
    {"id": "e_r", "from": {"node": "regions"}, "to": {"node": "s0", "port": "right"}},
]
SECOND = [
    {"id": "more", **inline(ORDERS.head(2))},
    {"id": "e_b", "from": {"node": "more"}, "to": {"node": "s0", "port": "b"}},
]
TRICKY = (
    "CASE WHEN region IN ('north', NULL) THEN upper(customer) "
    "WHEN amount BETWEEN 5 AND 30 THEN coalesce(region, '?') || '!' "
    "ELSE nullif(trim(customer), 'b') END"
)
# (kind, params, extra nodes and edges, written as Polars code)
CHAIN_CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]], bool]] = [
    ("transform.select", {"columns": ["id", "amount"]}, [], True),
    ("transform.filter", {"condition": "amount > 5 AND region IS NOT NULL"}, [], True),
    ("transform.filter", {"condition": "region LIKE 'n%' OR NOT amount < 20"}, [], True),
    ("transform.filter", {"condition": "amount > 10 AND id <> 6"}, [], True),
    ("transform.rename", {"mapping": {"amount": "value"}}, [], True),
    ("transform.add_column", {"name": "label", "expression": TRICKY}, [], True),
    ("transform.add_column", {"name": "half", "expression": "round(-amount / 4, 1)"}, [], True),
    ("transform.add_column", {"name": "id", "expression": "CAST(amount AS BIGINT)"}, [], True),
    (
        "transform.add_column",
        {"name": "flag", "expression": "IF(amount IS NULL, FALSE, amount > 9)"},
        [],
        True,
    ),
    ("transform.sort", {"keys": [{"column": "amount", "descending": True}]}, [], True),
    (
        "transform.aggregate",
        {
            "group_by": ["region"],
            "aggregations": [
                {"column": "amount", "function": fn, "as": fn}
                for fn in ("sum", "count", "count_distinct", "avg", "min", "max", "median")
            ]
            + [{"function": "count", "as": "rows"}],
        },
        [],
        True,
    ),
    ("transform.aggregate", {"aggregations": [{"function": "count", "as": "n"}]}, [], True),
    (  # a group of nothing but NULLs: its SUM is NULL
        "transform.aggregate",
        {"group_by": ["id"], "aggregations": [{"column": "amount", "function": "sum", "as": "s"}]},
        [],
        True,
    ),
    *[
        (
            "transform.join",
            {"how": how, "on": [{"left": "region", "right": "region"}]},
            REGION_JOIN,
            True,
        )
        for how in ("inner", "left", "right", "full", "semi", "anti")
    ],
    ("transform.union", {}, SECOND, True),
    ("transform.union", {"distinct": True}, SECOND, True),
    ("transform.deduplicate", {}, [], True),
    ("destination.display", {"limit": 100}, [], True),
    # Kinds with no Polars code: through DuckDB.
    (
        "transform.add_column",
        {"name": "r", "expression": "regexp_replace(customer, 'a', 'z')"},
        [],
        False,
    ),
    ("transform.cast", {"types": {"amount": "BIGINT", "id": "VARCHAR"}}, [], False),
    ("transform.fill_missing", {"fill": {"amount": 0}}, [], False),
    ("transform.sample", {"percent": 50, "seed": 3}, [], False),
    ("transform.map_values", {"column": "region", "mapping": {"north": "N"}}, [], False),
    (
        "transform.split_column",
        {"column": "customer", "separator": "x", "into": ["p", "q"]},
        [],
        False,
    ),
    (
        "transform.window",
        {"function": "sum", "column": "amount", "partition_by": ["region"], "as": "t"},
        [],
        False,
    ),
    (
        "transform.pivot",
        {
            "index": ["customer"],
            "column": "region",
            "values": ["north", "south"],
            "value": "amount",
            "function": "sum",
        },
        [],
        False,
    ),
    ("transform.melt", {"id_columns": ["id"], "value_columns": ["amount"]}, [], False),
    (
        "transform.sql",
        {"query": "SELECT customer, count(*) AS n FROM input GROUP BY customer"},
        [],
        False,
    ),
]


@pytest.mark.parametrize(("kind", "params", "extra", "native"), CHAIN_CASES)
def test_each_kinds_script_gives_the_engines_rows(
    kind: str,
    params: dict[str, Any],
    extra: list[dict[str, Any]],
    native: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flow = flow_of({"kind": kind, "params": params}, extra=json.loads(json.dumps(extra)))
    script = outputs_agree(flow, tmp_path, monkeypatch)
    through_duckdb = "# on DuckDB:" in section(script, "s0")
    assert through_duckdb != native, section(script, "s0")
    if native:
        assert "duck(" not in script  # the inline source, the node and the display too


def test_user_code_runs_through_galileans_own_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "def transform(df):\n    df['twice'] = df['amount'] * 2\n    return df\n"
    flow = flow_of({"kind": "transform.python", "params": {"code": code}})
    script = outputs_agree(flow, tmp_path, monkeypatch)
    assert "script_support.eager_rows(\n    'transform.python'" in script


def test_branch_merge_and_their_ports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nodes = [
        {"id": "orders", **inline(ORDERS)},
        {"id": "split", "kind": "control.branch", "params": {"condition": "amount > 9"}},
        {"id": "yes", "kind": "destination.display", "params": {}},
        {"id": "no", "kind": "destination.display", "params": {}},
        {"id": "again", "kind": "control.merge", "params": {}},
        {"id": "all", "kind": "destination.display", "params": {}},
    ]
    edges = [
        edge(1, "orders", "split"),
        edge(2, "split", "yes", out="true"),
        edge(3, "split", "no", out="false"),
        edge(4, "split", "again", out="true", port="a"),
        edge(5, "split", "again", out="false", port="b"),
        edge(6, "again", "all"),
    ]
    flow = parse_flow(json.dumps(document(nodes, edges)))
    script = outputs_agree(flow, tmp_path, monkeypatch)
    assert "split_false = duck(" in script


@pytest.mark.parametrize("failing", [True, False])
def test_try_takes_its_fallback_when_the_tried_side_fails(
    failing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "raise ValueError('no luck')" if failing else "return df"
    nodes = [
        {"id": "orders", **inline(ORDERS)},
        {
            "id": "py",
            "kind": "transform.python",
            "params": {"code": f"def transform(df):\n    {body}\n"},
        },
        {"id": "backup", **inline(ORDERS.head(1))},
        {"id": "either", "kind": "control.try", "params": {}},
        {"id": "out", "kind": "destination.display", "params": {}},
    ]
    edges = [
        edge(1, "orders", "py"),
        edge(2, "py", "either", port="try"),
        edge(3, "backup", "either", port="fallback"),
        edge(4, "either", "out"),
    ]
    flow = parse_flow(json.dumps(document(nodes, edges)))
    outputs_agree(flow, tmp_path, monkeypatch)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_read_and_written_as_the_engine_does(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    table = pa.Table.from_pandas(ORDERS, preserve_index=False)
    pq.write_table(table, inputs / "orders.parquet")
    pacsv.write_csv(table, inputs / "orders.csv")
    pd.DataFrame({"region": ["north"], "stock": [3]}).to_excel(inputs / "stock.xlsx", index=False)
    nodes = [
        {"id": "orders", "kind": "source.file", "params": {"path": f"orders.{fmt}"}},
        {"id": "stock", "kind": "source.excel", "params": {"path": "stock.xlsx"}},
        {
            "id": "joined",
            "kind": "transform.join",
            "params": {"how": "left", "on": [{"left": "region", "right": "region"}]},
        },
        {
            "id": "save",
            "kind": "destination.file",
            "params": {"path": f"out/o.{fmt}", "format": fmt},
        },
        {"id": "sheet", "kind": "destination.excel", "params": {"path": "out/o.xlsx"}},
        {"id": "show", "kind": "destination.display", "params": {}},
    ]
    edges = [
        edge(1, "orders", "joined", port="left"),
        edge(2, "stock", "joined", port="right"),
        edge(3, "joined", "save"),
        edge(4, "joined", "sheet"),
        edge(5, "joined", "show"),
    ]
    flow = parse_flow(json.dumps(document(nodes, edges)))
    script = outputs_agree(flow, tmp_path / "run", monkeypatch, inputs=inputs)
    assert ("# on DuckDB:" in section(script, "orders")) == (fmt == "csv")


def test_targets_give_only_what_they_need(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flow = parse_flow((EXAMPLES / "customer_segments.flow").read_text())
    script = outputs_agree(flow, tmp_path, monkeypatch, EXAMPLES, targets=["in_country"])
    assert "# orders (" not in script
    assert "sink_parquet" not in script


def test_node_ids_that_are_not_identifiers_get_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nodes = [
        {"id": "raw-orders", **inline(ORDERS)},
        {"id": "class", "kind": "transform.filter", "params": {"condition": "amount > 5"}},
        {"id": "show", "kind": "destination.display", "params": {}},
    ]
    flow = parse_flow(json.dumps(document(nodes, [("raw-orders", "class"), ("class", "show")])))
    script = outputs_agree(flow, tmp_path, monkeypatch)
    assert "raw_orders = pl.DataFrame(" in script
    assert "node_class = raw_orders.filter(" in script


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("GALILEAN_USER_HOME", str(tmp_path / "home"))
    root = tmp_path / "root"
    shutil.copytree(EXAMPLES, root / "work" / "flows")
    with serve_designer(FlowsDesigner(root), tmp_path / "home") as served:
        yield served


FLOW = "work/flows/sales_by_region.flow"


@pytest.mark.parametrize("language", ["python", "", 3, None, ["polars"]])
def test_code_refuses_an_unknown_language(server: Served, language: Any) -> None:
    body = {"path": FLOW, "content": json.loads((EXAMPLES / "sales_by_region.flow").read_text())}
    reply = server.call("POST", "/galilean/flows/code", {**body, "language": language})
    assert reply.status_code == 400, reply.text
    assert reply.json()["errors"] == [{"field": "language"}]


def test_code_gives_the_polars_script(server: Served) -> None:
    body = {"path": FLOW, "content": json.loads((EXAMPLES / "sales_by_region.flow").read_text())}
    reply = server.call("POST", "/galilean/flows/code", {**body, "language": "polars"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["language"] == "polars"
    assert "big_orders = orders.filter(" in reply.json()["code"]
    sql = server.call("POST", "/galilean/flows/code", {**body, "language": "sql"})
    assert sql.json()["sql"].startswith("-- show (destination.display)")
