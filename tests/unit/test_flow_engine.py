"""The flow engine core: kinds checked against pandas, validation, bad files, runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flow_builders import ORDERS, REGIONS, flow_of, inline, result, same

from galilean_services.flows import FlowFileError, parse_flow, validate
from galilean_services.flows.compiler import compile_node
from galilean_services.flows.issues import FlowInvalid
from galilean_services.flows.registry import CompileContext, default_registry
from galilean_services.flows.runner import preview, run
from galilean_services.flows.sql import to_sql


def test_select_rename_sort() -> None:
    got = result(
        flow_of(
            {"kind": "transform.select", "params": {"columns": ["id", "amount"]}},
            {"kind": "transform.rename", "params": {"mapping": {"amount": "value"}}},
            {
                "kind": "transform.sort",
                "params": {"keys": [{"column": "value", "descending": True}]},
            },
        )
    )
    expected = ORDERS[["id", "amount"]].rename(columns={"amount": "value"})
    expected = expected.sort_values("value", ascending=False, na_position="last")
    same(got, expected)


def test_filter_binds_parameters_as_values() -> None:
    flow = flow_of(
        {
            "kind": "transform.filter",
            "params": {"condition": "amount >= :least AND region <> :not_region"},
        },
        parameters=[
            {"name": "least", "type": "number", "default": 5},
            {"name": "not_region", "type": "string", "default": "east"},
        ],
    )
    expected = ORDERS[(ORDERS.amount >= 20) & ORDERS.region.notna() & (ORDERS.region != "east")]
    same(result(flow, least="20"), expected, sort=["id"])
    # A value that would change the query's structure stays a literal.
    assert result(flow, not_region="x' OR 1=1 --", least=0).shape[0] == 4


def test_add_column_fill_missing_and_replace() -> None:
    got = result(
        flow_of(
            {
                "kind": "transform.fill_missing",
                "params": {"fill": {"amount": 0}, "drop_rows_missing": ["region"]},
            },
            {
                "kind": "transform.add_column",
                "params": {"name": "double", "expression": "amount * 2"},
            },
            {
                "kind": "transform.add_column",
                "params": {"name": "amount", "expression": "amount + 1"},
            },
        )
    )
    expected = ORDERS.assign(amount=ORDERS.amount.fillna(0)).dropna(subset=["region"])
    expected = expected.assign(double=expected.amount * 2, amount=expected.amount + 1)
    same(got, expected[["id", "region", "amount", "customer", "double"]], sort=["id"])


def test_aggregate_with_count_distinct() -> None:
    got = result(
        flow_of(
            {
                "kind": "transform.aggregate",
                "params": {
                    "group_by": ["region"],
                    "aggregations": [
                        {"column": "amount", "function": "sum", "as": "total"},
                        {"column": "customer", "function": "count_distinct", "as": "customers"},
                        {"column": "amount", "function": "avg", "as": "mean"},
                        {"function": "count", "as": "rows"},
                    ],
                },
            }
        )
    )
    grouped = ORDERS.groupby("region", dropna=False)
    expected = pd.DataFrame(
        {
            "total": grouped.amount.sum(min_count=1),
            "customers": grouped.customer.nunique(),
            "mean": grouped.amount.mean(),
            "rows": grouped.size(),
        }
    ).reset_index()
    same(got.fillna({"region": "?"}), expected.fillna({"region": "?"}), sort=["region"])


def orders_joined_to_regions(how: str) -> Any:
    return flow_of(
        {
            "id": "j",
            "kind": "transform.join",
            "params": {"how": how, "on": [{"left": "region", "right": "region"}]},
        },
        extra=[
            {"id": "regions", **inline(REGIONS)},
            {"id": "e_r", "from": {"node": "regions"}, "to": {"node": "j", "port": "right"}},
        ],
    )


@pytest.mark.parametrize(
    ("how", "pandas_how"),
    [("inner", "inner"), ("left", "left"), ("right", "right"), ("full", "outer")],
)
def test_joins(how: str, pandas_how: str) -> None:
    flow = orders_joined_to_regions(how)
    got = result(flow)
    expected = ORDERS.merge(REGIONS, on="region", how=pandas_how)
    if how in ("right", "full"):  # the key comes from the left side, as in SQL
        expected["region"] = expected["region"].where(expected["id"].notna(), None)
    same(
        got[["id", "region", "manager"]].fillna("?"),
        expected[["id", "region", "manager"]].fillna("?"),
        sort=["id", "manager"],
    )


@pytest.mark.parametrize("how", ["semi", "anti"])
def test_semi_and_anti_joins(how: str) -> None:
    flow = orders_joined_to_regions(how)
    inside = ORDERS.region.isin(REGIONS.region)
    same(result(flow), ORDERS[inside if how == "semi" else ~inside], sort=["id"])


def test_union_and_deduplicate() -> None:
    flow = flow_of(
        {"id": "u", "kind": "transform.union", "params": {}},
        {"kind": "transform.select", "params": {"columns": ["customer"]}},
        {"kind": "transform.deduplicate", "params": {}},
        extra=[{"id": "e_b", "from": {"node": "orders"}, "to": {"node": "u", "port": "b"}}],
    )
    got = result(flow)
    same(got, ORDERS[["customer"]].drop_duplicates(), sort=["customer"])


def test_sample_is_reproducible() -> None:
    flow = flow_of({"kind": "transform.sample", "params": {"percent": 50, "seed": 7}})
    first, second = result(flow), result(flow)
    same(first, second)
    assert set(first["id"]) <= set(ORDERS["id"])


def test_files_round_trip_and_stay_in_their_folder(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    doc: dict[str, Any] = {
        "galilean_flow": 1,
        "name": "files",
        "nodes": [
            {"id": "src", "kind": "source.file", "params": {"path": "orders.parquet"}},
            {"id": "big", "kind": "transform.filter", "params": {"condition": "amount > 9"}},
            {
                "id": "save",
                "kind": "destination.file",
                "params": {"path": "out/big.csv", "format": "csv"},
            },
        ],
        "edges": [
            {"id": "a", "from": {"node": "src"}, "to": {"node": "big"}},
            {"id": "b", "from": {"node": "big"}, "to": {"node": "save"}},
        ],
    }
    outcome = run(parse_flow(json.dumps(doc)), base_dir=tmp_path)
    assert outcome.status == "succeeded", outcome.error
    written = pd.read_csv(tmp_path / "out" / "big.csv")
    same(written, ORDERS[ORDERS.amount > 9], sort=["id"])
    assert outcome.nodes["big"] == {"rows_in": 6, "rows_out": 3}
    assert not list((tmp_path / "out").glob("*.partial"))

    # The output file may be a flow parameter; it too must stay in the folder.
    doc["parameters"] = [{"name": "out", "type": "string", "default": "out/big.csv"}]
    doc["nodes"][2]["params"]["path"] = {"$param": "out"}
    assert run(parse_flow(json.dumps(doc)), base_dir=tmp_path).status == "succeeded"
    escaped = run(parse_flow(json.dumps(doc)), {"out": "../../escaped.csv"}, base_dir=tmp_path)
    assert escaped.status == "failed"
    assert escaped.error == {
        "node": "save",
        "message": "path '../../escaped.csv' leaves the flow's folder",
    }

    doc["nodes"][0]["params"] = {"path": "../elsewhere.parquet"}
    issues = validate(parse_flow(json.dumps(doc)))
    assert [(i.node, i.path) for i in issues] == [("src", "path")]


def test_preview_returns_first_rows_and_schema() -> None:
    flow = flow_of({"id": "f", "kind": "transform.filter", "params": {"condition": "amount > 0"}})
    table = preview(flow, "f", limit=2)
    assert table.num_rows == 2
    assert table.schema.names == ["id", "region", "amount", "customer"]


def test_run_records_rows_per_node() -> None:
    flow = flow_of({"id": "f", "kind": "transform.filter", "params": {"condition": "amount > 9"}})
    outcome = run(flow)
    assert outcome.nodes == {
        "orders": {"rows_in": 0, "rows_out": 6},
        "f": {"rows_in": 6, "rows_out": 3},
        "out": {"rows_in": 3, "rows_out": 3},
    }
    assert outcome.ended >= outcome.started


def test_a_failing_node_is_named() -> None:
    flow = flow_of(
        {
            "id": "bad",
            "kind": "transform.add_column",
            "params": {"name": "x", "expression": "amount / region"},
        }
    )
    outcome = run(flow)
    assert outcome.status == "failed"
    assert outcome.error is not None
    # The node whose SQL does not bind, not the destination whose query ran it.
    assert outcome.error["node"] == "bad"
    assert "Binder Error" in outcome.error["message"] or "No function" in outcome.error["message"]


# -- validation ----------------------------------------------------------------------


def codes(flow: Any) -> list[tuple[str, Any]]:
    return sorted((i.code, i.node or i.edge or i.nodes) for i in validate(flow))


def test_every_problem_is_reported_with_its_ids() -> None:
    doc = {
        "galilean_flow": 1,
        "name": "broken",
        "nodes": [
            {"id": "src", **inline(ORDERS)},
            {"id": "src", "kind": "transform.select", "params": {"columns": ["id"]}},
            {"id": "mystery", "kind": "transform.teleport", "params": {}},
            {"id": "pick", "kind": "transform.select", "params": {"columns": ["id", "nope"]}},
            {"id": "typed", "kind": "transform.sort", "params": {"keys": "id"}},
            {"id": "lonely", "kind": "transform.filter", "params": {"condition": "id > 1"}},
            {"id": "a", "kind": "transform.filter", "params": {"condition": "id > 1"}},
            {"id": "b", "kind": "transform.filter", "params": {"condition": "id > 2"}},
        ],
        "edges": [
            {"id": "e1", "from": {"node": "src"}, "to": {"node": "pick"}},
            {"id": "e2", "from": {"node": "src"}, "to": {"node": "typed"}},
            {"id": "e3", "from": {"node": "a"}, "to": {"node": "b"}},
            {"id": "e4", "from": {"node": "b"}, "to": {"node": "a"}},
            {"id": "e5", "from": {"node": "ghost"}, "to": {"node": "mystery"}},
        ],
    }
    found = validate(parse_flow(json.dumps(doc)))
    by_code: dict[str, list[Any]] = {}
    for issue in found:
        by_code.setdefault(issue.code, []).append(issue.node or issue.edge or issue.nodes)
    assert by_code["duplicate-id"] == ["src"]
    assert by_code["unknown-kind"] == ["mystery"]
    assert "typed" in by_code["param"]
    assert sorted(by_code["missing-input"]) == ["lonely", "src"]  # the second 'src' too
    assert by_code["cycle"] == [("a", "b")]
    assert by_code["edge"] == ["e5"]
    with pytest.raises(FlowInvalid) as refused:
        run(parse_flow(json.dumps(doc)))
    assert len(refused.value.issues) == len(found)


def test_unknown_columns_are_found_before_running() -> None:
    flow = flow_of(
        {
            "id": "f",
            "kind": "transform.filter",
            "params": {"condition": "amount > 1 AND colour = 'red'"},
        },
        {
            "id": "g",
            "kind": "transform.aggregate",
            "params": {"group_by": ["regio"], "aggregations": [{"function": "count", "as": "n"}]},
        },
    )
    assert [(i.code, i.node) for i in validate(flow)] == [
        ("unknown-column", "f"),
        ("unknown-column", "g"),
    ]


def test_bad_expression_and_unknown_parameter_are_named() -> None:
    flow = flow_of(
        {"id": "f", "kind": "transform.filter", "params": {"condition": "amount >"}},
        {"id": "g", "kind": "transform.filter", "params": {"condition": "(SELECT 1) = 1"}},
    )
    assert {(i.code, i.node) for i in validate(flow)} == {("param", "f"), ("param", "g")}
    with pytest.raises(FlowInvalid, match="parameter 'least' must be number"):
        run(
            flow_of(
                {"kind": "transform.filter", "params": {"condition": "amount > :least"}},
                parameters=[{"name": "least", "type": "number", "default": 1}],
            ),
            {"least": "lots"},
        )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"galilean_flow": 1, "name": "x",\n "nodes": [}', "flow:2:"),
        ('{"galilean_flow": 2, "name": "x", "nodes": []}', "flow:$.galilean_flow"),
        ('{"galilean_flow": 1, "name": "x", "nodes": [{"id": "a"}]}', "flow:$.nodes[0]"),
        (
            '{"galilean_flow": 1, "name": "x", "nodes": [], '
            '"edges": [{"id": "e", "from": {}, "to": {"node": "a"}}]}',
            "flow:$.edges[0].from",
        ),
    ],
)
def test_bad_files_say_where(text: str, where: str) -> None:
    with pytest.raises(FlowFileError) as caught:
        parse_flow(text)
    assert caught.value.location.startswith(where), caught.value.location


def test_compiled_query_prints_for_other_engines() -> None:
    flow = flow_of(
        {"kind": "transform.filter", "params": {"condition": "amount > 1"}},
        {
            "kind": "transform.aggregate",
            "params": {
                "group_by": ["region"],
                "aggregations": [{"column": "amount", "function": "sum", "as": "t"}],
            },
        },
    )
    query = compile_node(flow, "out", CompileContext())
    assert to_sql(query).startswith("WITH")
    for dialect in ("spark", "trino"):
        printed = to_sql(query, dialect)
        assert "SUM(" in printed
        assert "GROUP BY" in printed


def test_registry_lists_kinds_with_their_form_schema() -> None:
    catalogue = {k["kind"]: k for k in default_registry().catalogue()}
    assert catalogue["transform.join"]["inputs"] == ["left", "right"]
    assert catalogue["transform.filter"]["params_schema"]["required"] == ["condition"]


def test_the_engine_cannot_touch_files_outside_the_flows_folder(tmp_path: Path) -> None:
    from galilean_services.flows.runner import connect

    (tmp_path / "inside.csv").write_text("a\n1\n")
    with connect(tmp_path) as con:
        inside = con.execute(
            "SELECT * FROM read_csv($path)", {"path": str(tmp_path / "inside.csv")}
        ).fetchall()
        assert inside == [(1,)]
        with pytest.raises(Exception, match="Permission Error"):
            con.sql("SELECT * FROM read_csv('/etc/passwd')").fetchall()


def test_published_schema_matches_the_code() -> None:
    from galilean_services.flows.schema import FLOW_SCHEMA

    published = Path(__file__).parents[2] / "services/galilean_services/flows/flow.schema.json"
    assert json.loads(published.read_text()) == FLOW_SCHEMA


def test_writer_paths_that_leave_the_folder_are_found_before_running() -> None:
    flow = flow_of({"id": "save", "kind": "destination.file", "params": {"path": "/etc/x.csv"}})
    assert [(i.node, i.path) for i in validate(flow)] == [("save", "path")]


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    flow = flow_of(
        {
            "id": "bad",
            "kind": "transform.add_column",
            "params": {"name": "n", "expression": "CAST(region AS INTEGER)"},
        },
        {"id": "save", "kind": "destination.file", "params": {"path": "out.csv", "format": "csv"}},
    )
    outcome = run(flow, base_dir=tmp_path)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error["node"] == "save"
    assert list(tmp_path.iterdir()) == []


def test_unchanged_subgraphs_are_reused_and_input_changes_invalidate(tmp_path: Path) -> None:
    import os

    from galilean_services.flows.cache import ResultCache

    ORDERS.to_parquet(tmp_path / "orders.parquet")
    doc = {
        "galilean_flow": 1,
        "name": "cached",
        "nodes": [
            {"id": "orders", "kind": "source.file", "params": {"path": "orders.parquet"}},
            {
                "id": "totals",
                "kind": "transform.aggregate",
                "params": {
                    "group_by": ["customer"],
                    "aggregations": [{"column": "amount", "function": "sum", "as": "total"}],
                },
            },
            {"id": "top", "kind": "transform.filter", "params": {"condition": "total > 20"}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        "edges": [
            {"id": "e1", "from": {"node": "orders"}, "to": {"node": "totals"}},
            {"id": "e2", "from": {"node": "totals"}, "to": {"node": "top"}},
            {"id": "e3", "from": {"node": "top"}, "to": {"node": "out"}},
        ],
    }
    cache = ResultCache()

    def customers(condition: str) -> tuple[list[str], Any]:
        doc["nodes"][2]["params"]["condition"] = condition  # type: ignore[index]
        outcome = run(parse_flow(json.dumps(doc)), base_dir=tmp_path, cache=cache)
        assert outcome.status == "succeeded", outcome.error
        return sorted(outcome.outputs["out"].column("customer").to_pylist()), outcome

    first, outcome = customers("total > 20")
    assert first == ["b"]
    assert outcome.reused == []
    # Edit the node after the aggregation: the aggregation is reused, counts still right.
    second, outcome = customers("total > 5")
    assert second == ["a", "b", "c"]
    assert outcome.reused == ["totals"]
    assert outcome.nodes["orders"]["rows_out"] == len(ORDERS)
    assert outcome.nodes["totals"] == {"rows_in": len(ORDERS), "rows_out": 4}
    # Rewrite the input file: the key changes, the aggregation runs again.
    ORDERS.assign(amount=ORDERS.amount * 10).to_parquet(tmp_path / "orders.parquet")
    os.utime(tmp_path / "orders.parquet", ns=(1, 1))
    third, outcome = customers("total > 5")
    assert outcome.reused == []
    assert third == ["a", "b", "c", "d"]
