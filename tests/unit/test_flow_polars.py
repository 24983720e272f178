"""The Polars backend: every expression it translates means what DuckDB makes of it, the
engine is chosen per flow (and the log says why not Polars), trouble with Polars before
anything is written reruns the flow on DuckDB without running eager nodes twice, and the
two engines agree on rows and row counts. Each kind's own test (test_flow_engine,
test_flow_reshape) also runs on both engines through `result()`."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import expression_compare
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from expression_compare import comparable
from flow_builders import ORDERS, REGIONS, flow_of, inline, normalized, result

from galilean_services.flows import parse_flow
from galilean_services.flows.kinds import register_builtin
from galilean_services.flows.kinds.destinations.base import PassThrough
from galilean_services.flows.polars_expr import NoPolarsForm
from galilean_services.flows.registry import CompileContext, NodeKind, Registry, default_registry
from galilean_services.flows.runner import run
from harness.local_http import QuietHandler, serving

DATA = pa.table(
    {
        "i": pa.array([1, -3, 0, None, 2, 7], pa.int64()),
        "f": pa.array([2.5, -2.5, None, 0.75, 1.0, -0.5], pa.float64()),
        "s": pa.array(["Apple", "banana", None, "a_b", "x%y", "  pad "], pa.string()),
        "b": pa.array([True, False, None, True, False, None], pa.bool_()),
        "ds": pa.array(["2024-01-05", "2023-12-31", None, "2024-02-29", "2020-06-01", None]),
    }
)

SAME_MEANING = [
    "i + 1",
    "i - f",
    "i * 2",
    "f * 0.8",
    "i / 2",
    "i / 0",
    "(i - i) / 0",
    "f / i",
    "-i",
    "abs(i)",
    "i > 1",
    "i >= 1 AND f < 3",
    "i = 1 OR s = 'Apple'",
    "NOT (i > 1)",
    "i <> 0",
    "i IS NULL",
    "i IS NOT NULL",
    "i IN (1, 2)",
    "i NOT IN (1, 2)",
    "i IN (1, NULL)",
    "i NOT IN (1, NULL)",
    "i BETWEEN -1 AND 2",
    "coalesce(i, 0)",
    "coalesce(f, i, 0)",
    "CASE WHEN i > 1 THEN 'big' WHEN i < 0 THEN 'neg' ELSE 'small' END",
    "CASE i WHEN 1 THEN 'one' WHEN 0 THEN 'zero' END",
    "if(i > 0, 'pos', 'not')",
    "lower(s)",
    "upper(s)",
    "length(s)",
    "s || '!'",
    "round(f)",
    "round(f, 1)",
    "round(i * 1.5)",
    "CAST(f AS BIGINT)",
    "CAST(f AS INTEGER)",
    "CAST(i AS VARCHAR)",
    "CAST(i AS DOUBLE)",
    "TRY_CAST(s AS INTEGER)",
    "CAST(ds AS DATE)",
    "s LIKE 'a%'",
    "s ILIKE 'a%'",
    "s NOT LIKE '%an%'",
    "s LIKE 'x%y'",
    "s LIKE '_pple'",
    "trim(s)",
    "nullif(i, 0)",
    "sqrt(abs(f))",
    "b AND i > 0",
    "b OR i > 5",
    "NOT b",
]

NO_POLARS_FORM = [
    "CAST(f AS VARCHAR)",  # the engines print floats differently
    "strlen(s)",
]


def duckdb_values(expression: str) -> list[Any]:
    return expression_compare.duckdb_values(DATA, expression)


def polars_values(expression: str) -> list[Any]:
    return expression_compare.polars_values(DATA, expression)


@pytest.mark.parametrize("expression", SAME_MEANING)
def test_expressions_mean_what_duckdb_means(expression: str) -> None:
    assert comparable(polars_values(expression)) == comparable(duckdb_values(expression))


@pytest.mark.parametrize("expression", NO_POLARS_FORM)
def test_expressions_polars_would_read_differently_have_no_polars_form(expression: str) -> None:
    duckdb_values(expression)  # valid SQL for DuckDB
    with pytest.raises(NoPolarsForm):
        polars_values(expression)


def test_kinds_without_a_polars_form_are_the_listed_ones() -> None:
    registry = default_registry()
    lacking = {
        name
        for name in registry.names()
        if not getattr(registry.get(name), "eager", False)
        and type(registry.get(name)).lazy is NodeKind.lazy
    }
    # Sampling hashes rows DuckDB's way. (A SQL node's common shapes translate through
    # sqlglot: tests/unit/test_flow_sql_polars.py.)
    assert lacking == {"transform.sample"}


def parquet_flow(tmp_path: Path, *steps: dict[str, Any], fmt: str = "parquet") -> Any:
    data = ORDERS.assign(amount=ORDERS.amount.where(ORDERS.id != 2, None))
    if fmt == "parquet":
        data.to_parquet(tmp_path / "orders.parquet")
    else:
        data.to_csv(tmp_path / "orders.csv", index=False)
    REGIONS.to_parquet(tmp_path / "regions.parquet")
    nodes = [
        {"id": "src", "kind": "source.file", "params": {"path": f"orders.{fmt}"}},
        {"id": "regions", "kind": "source.file", "params": {"path": "regions.parquet"}},
        {"id": "valid", "kind": "transform.filter", "params": {"condition": "id <> 6"}},
        {"id": "filled", "kind": "transform.fill_missing", "params": {"fill": {"amount": 0}}},
        {
            "id": "joined",
            "kind": "transform.join",
            "params": {"how": "left", "on": [{"left": "region", "right": "region"}]},
        },
        {
            "id": "by_region",
            "kind": "transform.aggregate",
            "params": {
                "group_by": ["region", "manager"],
                "aggregations": [
                    {"column": "amount", "function": "sum", "as": "total"},
                    {"column": "customer", "function": "count_distinct", "as": "customers"},
                ],
            },
        },
        {
            "id": "ranked",
            "kind": "transform.window",
            "params": {
                "function": "rank",
                "order_by": [{"column": "total", "descending": True}],
                "as": "rank",
            },
        },
        *steps,
        {"id": "save", "kind": "destination.file", "params": {"path": "result.parquet"}},
        {"id": "out", "kind": "destination.display", "params": {}},
    ]
    chain = ["src", "valid", "filled", "joined", "by_region", "ranked", *[s["id"] for s in steps]]
    edges: list[dict[str, Any]] = [
        {"id": f"e{n}", "from": {"node": a}, "to": {"node": b, "port": "left" if n == 2 else "in"}}
        for n, (a, b) in enumerate(itertools.pairwise(chain))
    ]
    edges += [
        {"id": "er", "from": {"node": "regions"}, "to": {"node": "joined", "port": "right"}},
        {"id": "es", "from": {"node": chain[-1]}, "to": {"node": "save"}},
        {"id": "eo", "from": {"node": chain[-1]}, "to": {"node": "out"}},
    ]
    return parse_flow(json.dumps({"galilean_flow": 1, "name": "p", "nodes": nodes, "edges": edges}))


def test_a_flow_of_polars_forms_runs_on_polars_and_agrees_with_duckdb(tmp_path: Path) -> None:
    flow = parquet_flow(tmp_path)
    fast = run(flow, base_dir=tmp_path)
    assert fast.status == "succeeded", fast.error
    assert fast.engine == "polars"
    assert fast.logs[0] == "engine: Polars"
    written = pd.read_parquet(tmp_path / "result.parquet")
    reference = run(flow, base_dir=tmp_path, engine="duckdb")
    assert reference.engine == "duckdb"
    assert normalized(fast.outputs["out"]) == normalized(reference.outputs["out"])
    assert normalized(pa.Table.from_pandas(written)) == normalized(reference.outputs["out"])
    # Row counts: carried through row-keeping nodes, the join's counted by the aggregation.
    assert fast.nodes == reference.nodes
    assert fast.nodes["joined"] == {"rows_in": 8, "rows_out": 5}
    assert fast.nodes["by_region"]["rows_in"] == 5


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"fmt": "csv"}, "node src: reading CSV or JSON"),
        (
            {
                "steps": [
                    {
                        "id": "q",
                        "kind": "transform.sql",
                        "params": {"query": "SELECT * FROM input UNION ALL SELECT * FROM input"},
                    }
                ]
            },
            "node q: a UNION query",
        ),
    ],
)
def test_other_flows_run_on_duckdb_and_say_why(
    tmp_path: Path, change: dict[str, Any], why: str
) -> None:
    flow = parquet_flow(tmp_path, *change.get("steps", []), fmt=change.get("fmt", "parquet"))
    outcome = run(flow, base_dir=tmp_path)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.engine == "duckdb"
    assert outcome.logs[0] == f"engine: DuckDB (Polars cannot run {why})"


def test_same_named_columns_on_both_sides_of_a_join_run_on_duckdb() -> None:
    regions = REGIONS.assign(customer=["x", "y", "z"])
    flow = flow_of(
        {
            "id": "j",
            "kind": "transform.join",
            "params": {"how": "inner", "on": [{"left": "region", "right": "region"}]},
        },
        extra=[
            {"id": "regions", **inline(regions)},
            {"id": "e_r", "from": {"node": "regions"}, "to": {"node": "j", "port": "right"}},
        ],
    )
    outcome = run(flow)
    assert outcome.engine == "duckdb"
    assert "columns of the same name on both sides" in outcome.logs[0]


def test_window_functions_with_null_keys_agree() -> None:
    for function, extra in [
        ("rank", {}),
        ("dense_rank", {}),
        ("lag", {"column": "id"}),
        ("lead", {"column": "id"}),
    ]:
        flow = flow_of(
            {
                "kind": "transform.window",
                "params": {
                    "function": function,
                    "partition_by": ["customer"],
                    "order_by": [{"column": "amount", "descending": True}],
                    "as": "w",
                    **extra,
                },
            }
        )
        result(flow)  # both engines, same rows
        assert run(flow, engine="polars").engine == "polars"


class Hits:
    count = 0


@pytest.fixture
def records_server() -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            Hits.count += 1
            body = json.dumps([{"n": 1}, {"n": 2}, {"n": 300}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler) as url:
        yield f"{url}/records"


class NarrowInPolars(PassThrough):
    """A third-party kind whose Polars form fails at run time (it narrows to 8 bits, which
    300 does not fit), while its SQL form (its input's rows) works: Polars trouble after
    an eager node."""

    name = "test.narrow"
    title = "Narrow"
    category = "transform"
    params_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].with_columns(pl.col("n").cast(pl.Int8))


def test_polars_trouble_reruns_on_duckdb_without_fetching_twice(records_server: str) -> None:
    registry = Registry()
    register_builtin(registry)
    registry.register(NarrowInPolars())
    doc = {
        "galilean_flow": 1,
        "name": "fallback",
        "nodes": [
            {"id": "api", "kind": "source.http_json", "params": {"url": records_server}},
            {"id": "narrow", "kind": "test.narrow", "params": {}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        "edges": [
            {"id": "a", "from": {"node": "api"}, "to": {"node": "narrow"}},
            {"id": "b", "from": {"node": "narrow"}, "to": {"node": "out"}},
        ],
    }
    Hits.count = 0
    outcome = run(parse_flow(json.dumps(doc)), registry=registry)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.engine == "duckdb"
    assert outcome.outputs["out"].column("n").to_pylist() == [1, 2, 300]
    assert Hits.count == 1  # the API's rows were handed over, not fetched again
    assert outcome.logs[0].startswith("engine: DuckDB (Polars cannot run node out: ")
    assert outcome.nodes["api"] == {"rows_in": 0, "rows_out": 3}
