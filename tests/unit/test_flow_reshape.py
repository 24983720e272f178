"""Reshaping kinds against pandas: cast, map values, split, window, pivot, melt, SQL."""

from __future__ import annotations

import pytest
from flow_builders import ORDERS, flow_of, result, same

from galilean_services.flows import validate


def test_cast_and_safe_cast() -> None:
    got = result(
        flow_of(
            {"kind": "transform.cast", "params": {"types": {"amount": "BIGINT", "id": "VARCHAR"}}}
        )
    )
    assert got["id"].tolist() == [str(i) for i in ORDERS["id"]]
    expected = ORDERS["amount"].round().astype("Int64")  # no .5 ties but 25.5: 26 either way
    assert got["amount"].astype("Int64").tolist() == expected.tolist()
    flow = flow_of(
        {"kind": "transform.cast", "params": {"types": {"region": "INTEGER"}, "on_error": "null"}}
    )
    assert result(flow)["region"].isna().all()


def test_map_values_with_and_without_default() -> None:
    mapping = {"north": "N", "south": "S"}
    kept = result(
        flow_of(
            {"kind": "transform.map_values", "params": {"column": "region", "mapping": mapping}}
        )
    )
    assert kept["region"].tolist() == ORDERS["region"].map(lambda v: mapping.get(v, v)).tolist()
    other = result(
        flow_of(
            {
                "kind": "transform.map_values",
                "params": {"column": "region", "mapping": mapping, "default": "other"},
            }
        )
    )
    expected = ORDERS["region"].map(lambda v: mapping.get(v, "other") if v is not None else "other")
    assert other["region"].tolist() == expected.tolist()


def test_split_column() -> None:
    got = result(
        flow_of(
            {
                "kind": "transform.add_column",
                "params": {"name": "code", "expression": "region || '-' || customer"},
            },
            {
                "kind": "transform.split_column",
                "params": {"column": "code", "separator": "-", "into": ["r", "c"]},
            },
        )
    )
    rows = got.dropna(subset=["code"])
    assert rows["r"].tolist() == rows["region"].tolist()
    assert rows["c"].tolist() == rows["customer"].tolist()


def test_window_rank_and_running_sum() -> None:
    got = result(
        flow_of(
            {"kind": "transform.fill_missing", "params": {"fill": {"amount": 0}}},
            {
                "kind": "transform.window",
                "params": {
                    "function": "rank",
                    "partition_by": ["customer"],
                    "order_by": [{"column": "amount", "descending": True}],
                    "as": "rank",
                },
            },
            {
                "kind": "transform.window",
                "params": {
                    "function": "sum",
                    "column": "amount",
                    "partition_by": ["customer"],
                    "as": "customer_total",
                },
            },
        )
    )
    base = ORDERS.assign(amount=ORDERS.amount.fillna(0))
    base["rank"] = (
        base.groupby("customer")["amount"].rank(method="min", ascending=False).astype(int)
    )
    base["customer_total"] = base.groupby("customer")["amount"].transform("sum")
    same(got, base, sort=["id"])


def test_pivot_and_melt_round_trip() -> None:
    pivoted = result(
        flow_of(
            {
                "kind": "transform.pivot",
                "params": {
                    "index": ["customer"],
                    "column": "region",
                    "values": ["north", "south"],
                    "value": "amount",
                    "function": "sum",
                },
            }
        )
    )
    expected = (
        ORDERS[ORDERS.region.isin(["north", "south"])]
        .pivot_table(index="customer", columns="region", values="amount", aggfunc="sum")
        .reindex(ORDERS.customer.unique())
        .reset_index()
    )
    expected.columns.name = None
    same(pivoted, expected[["customer", "north", "south"]], sort=["customer"])

    melted = result(
        flow_of(
            {
                "kind": "transform.melt",
                "params": {"id_columns": ["id"], "value_columns": ["region", "customer"]},
            }
        )
    )
    expected_melt = ORDERS.melt(id_vars=["id"], value_vars=["region", "customer"])
    same(melted, expected_melt, sort=["id", "variable"])


def test_sql_transform_reads_its_input_only() -> None:
    got = result(
        flow_of(
            {
                "kind": "transform.sql",
                "params": {"query": "SELECT customer, count(*) AS n FROM input GROUP BY customer"},
            }
        )
    )
    same(got, ORDERS.groupby("customer").size().rename("n").reset_index(), sort=["customer"])
    for query, reason in [
        ("SELECT * FROM read_csv('/etc/passwd')", "only `input`"),
        ("SELECT * FROM other_table", "only `input`"),
        ("DROP TABLE input", "one SELECT"),
        ("SELECT * FROM input; SELECT 1", "one SELECT"),
    ]:
        issues = validate(flow_of({"id": "q", "kind": "transform.sql", "params": {"query": query}}))
        assert [(i.node, i.path) for i in issues] == [("q", "query")], query
        assert reason in issues[0].message


@pytest.mark.parametrize("kind", ["transform.pivot", "transform.melt", "transform.window"])
def test_reshape_kinds_report_unknown_columns(kind: str) -> None:
    params = {
        "transform.pivot": {
            "index": ["nope"],
            "column": "region",
            "values": ["x"],
            "value": "amount",
            "function": "sum",
        },
        "transform.melt": {"id_columns": ["nope"], "value_columns": ["amount"]},
        "transform.window": {"function": "rank", "order_by": [{"column": "nope"}], "as": "r"},
    }[kind]
    issues = validate(flow_of({"id": "x", "kind": kind, "params": params}))
    assert [(i.code, i.node) for i in issues] == [("unknown-column", "x")]
