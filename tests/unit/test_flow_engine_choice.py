"""Which engine `auto` picks: Polars, unless a node runs clearly faster on DuckDB where it
sits — an ordered window over rows not yet aggregated (engine_choice.py). The first log
line says why; `engine="polars"` keeps such a flow on Polars; both give the same rows."""

from __future__ import annotations

from typing import Any

from flow_builders import flow_of, normalized

from galilean_services.flows.runner import run

RUNNING_PARAMS: dict[str, Any] = {
    "function": "sum",
    "column": "amount",
    "partition_by": ["customer"],
    "order_by": [{"column": "amount"}],
    "as": "running",
}
TOTALS = {
    "kind": "transform.aggregate",
    "params": {
        "group_by": ["customer"],
        "aggregations": [{"column": "amount", "function": "sum", "as": "total"}],
    },
}


def window(**params: Any) -> dict[str, Any]:
    return {"kind": "transform.window", "params": {**RUNNING_PARAMS, **params}}


def test_an_ordered_window_over_raw_rows_runs_on_duckdb_and_says_why() -> None:
    flow = flow_of({"id": "run_total", **window()})
    chosen = run(flow)
    assert chosen.status == "succeeded", chosen.error
    assert chosen.engine == "duckdb"
    assert chosen.logs[0] == (
        "engine: DuckDB (faster for node run_total: transform.window on rows not yet summarized)"
    )
    forced = run(flow, engine="polars")
    assert forced.engine == "polars"
    assert normalized(forced.outputs["out"]) == normalized(chosen.outputs["out"])
    assert forced.nodes == chosen.nodes


def test_a_window_after_an_aggregation_or_without_order_stays_on_polars() -> None:
    ranked = {
        "kind": "transform.window",
        "params": {"function": "rank", "order_by": [{"column": "total"}], "as": "place"},
    }
    assert run(flow_of(TOTALS, ranked)).engine == "polars"
    assert run(flow_of(window(order_by=[]))).engine == "polars"
