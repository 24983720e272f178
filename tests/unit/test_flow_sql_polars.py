"""A SQL node runs on Polars when its query has one of the common shapes (sql_polars.py),
with the rows DuckDB gives (NULLs, ties, negative numbers, empty groups); any other query
keeps the flow on DuckDB and the log names the construct."""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import polars as pl
import pytest
import sqlglot
from flow_builders import inline, result

from galilean_services.flows import Flow, parse_flow
from galilean_services.flows.polars_expr import NoPolarsForm
from galilean_services.flows.runner import run
from galilean_services.flows.sql_polars import lazy_query

DATA = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6, 7, 8],
        "k": ["a", "b", None, "a", "b", "a", None, "c"],
        "n": [3, -1, 3, 0, -1, 2, -7, 3],
        "x": [1.5, None, -2.0, 1.5, 4.0, None, -0.5, 1.5],
        "s": ["p", "q", None, "p", None, "r", "q", "p"],
    }
)


def sql_flow(query: str) -> Flow:
    nodes = [
        {"id": "src", **inline(DATA)},
        {"id": "q", "kind": "transform.sql", "params": {"query": query}},
        {"id": "out", "kind": "destination.display", "params": {}},
    ]
    edges = [
        {"id": "e0", "from": {"node": "src"}, "to": {"node": "q", "port": "in"}},
        {"id": "e1", "from": {"node": "q"}, "to": {"node": "out", "port": "in"}},
    ]
    doc = {"galilean_flow": 1, "name": "sql", "nodes": nodes, "edges": edges}
    return parse_flow(json.dumps(doc))


def query_of(text: str) -> sqlglot.exp.Query:
    tree = sqlglot.parse_one(text, read="duckdb")
    assert isinstance(tree, sqlglot.exp.Query)
    return tree


SAME_ROWS = [
    "SELECT * FROM input",
    "SELECT *, x * 2 AS double_x FROM input WHERE n > 0",
    "SELECT i.id, i.k FROM input AS i WHERE i.x IS NULL OR i.n < 0",
    "SELECT id, n / 2 AS half, n * 1.5 AS more FROM input",
    "SELECT k, SUM(x) AS total, COUNT(*) AS c, COUNT(x) AS xs, COUNT(DISTINCT s) AS ss,"
    " AVG(n) AS mean_n, MIN(x) AS lo, MAX(s) AS hi, MEDIAN(n) AS mid FROM input GROUP BY k",
    "SELECT k, s, SUM(n) AS total FROM input GROUP BY k, s",
    "SELECT k, SUM(n) AS total FROM input GROUP BY k HAVING COUNT(*) > 1",
    "SELECT k AS key, SUM(x) + 1 AS t FROM input GROUP BY key",
    "SELECT n > 0 AS positive, COUNT(*) AS c FROM input GROUP BY 1",
    "SELECT SUM(x) AS total, COUNT(*) AS c, COUNT(DISTINCT s) AS d FROM input WHERE n > 100",
    "SELECT COUNT(*) AS c, AVG(x) AS mean FROM input",
    "SELECT DISTINCT k FROM input",
    "SELECT DISTINCT k, s FROM input WHERE id > 1",
    "SELECT id, COALESCE(x, (SELECT MEDIAN(x) FROM input)) AS filled FROM input",
    "SELECT id, COALESCE(x, (SELECT MEDIAN(x) FROM input)) AS filled FROM input WHERE n >= 0",
    "SELECT id, x - (SELECT AVG(x) FROM input WHERE n > 0) AS d FROM input",
    "SELECT id, (SELECT COUNT(*) FROM input WHERE x IS NULL) AS missing FROM input",
    "SELECT id, (SELECT MAX(n) - MIN(n) FROM input i2) AS spread FROM input",
    "SELECT id, COALESCE(x, MEDIAN(x) OVER ()) AS filled FROM input",
    "SELECT id, k, RANK() OVER (PARTITION BY k ORDER BY n DESC) AS r,"
    " DENSE_RANK() OVER (ORDER BY n) AS d FROM input",
    "SELECT id, SUM(x) OVER (PARTITION BY k) AS t, COUNT(*) OVER () AS c,"
    " AVG(n) OVER (PARTITION BY k, s) AS m FROM input",
    "SELECT id, LAG(x) OVER (PARTITION BY k ORDER BY id) AS prev,"
    " LEAD(s) OVER (ORDER BY id DESC) AS next FROM input",
    "SELECT id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn FROM input",
    "SELECT id, RANK() OVER (ORDER BY n * -1) AS r FROM input WHERE x IS NOT NULL",
    "SELECT k, SUM(x) AS total, RANK() OVER (ORDER BY SUM(x) DESC) AS r FROM input GROUP BY k",
    # running aggregates: by default tied rows (n has ties) share the value after the last
    "SELECT id, SUM(x) OVER (PARTITION BY k ORDER BY n) AS running,"
    " COUNT(*) OVER (ORDER BY n DESC) AS c, AVG(x) OVER (ORDER BY id) AS mean FROM input",
    "SELECT id, SUM(n) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    " AS running, MAX(x) OVER (ORDER BY id RANGE UNBOUNDED PRECEDING) AS top FROM input",
    "SELECT s, COUNT(*) AS c, RANK() OVER (PARTITION BY s IS NULL ORDER BY COUNT(*)) AS r"
    " FROM input GROUP BY s",
]


@pytest.mark.parametrize("query", SAME_ROWS)
def test_sql_nodes_run_on_polars_with_duckdbs_rows(query: str) -> None:
    flow = sql_flow(query)
    result(flow)  # both engines, the same rows and row counts
    outcome = run(flow)
    assert outcome.engine == "polars", outcome.logs[0]


ORDERED = [
    "SELECT id, x FROM input ORDER BY x, id",
    "SELECT id, x FROM input ORDER BY x DESC, id",
    "SELECT id, x FROM input ORDER BY x NULLS FIRST, id DESC",
    "SELECT id, x FROM input ORDER BY x DESC NULLS FIRST, id LIMIT 3",
    "SELECT id AS number FROM input ORDER BY number DESC LIMIT 2 OFFSET 1",
    "SELECT id FROM input ORDER BY n, id DESC",  # by a column it does not select
    "SELECT id, n AS x FROM input ORDER BY x, id",  # the output, not the input's x
    "SELECT k, SUM(n) AS total FROM input GROUP BY k ORDER BY total DESC, k NULLS FIRST",
    "SELECT k, COUNT(*) AS c FROM input GROUP BY k ORDER BY MAX(id)",
    "SELECT k, n FROM input ORDER BY 2, 1 DESC, id LIMIT 5",
    "SELECT id FROM input LIMIT 0",
]


@pytest.mark.parametrize("query", ORDERED)
def test_order_by_and_limit_give_duckdbs_order(query: str) -> None:
    flow = sql_flow(query)
    fast, reference = run(flow), run(flow, engine="duckdb")
    assert fast.engine == "polars", fast.logs[0]
    assert fast.outputs["out"].to_pylist() == reference.outputs["out"].to_pylist()


LEFT_ON_DUCKDB = [
    ("SELECT * FROM input UNION ALL SELECT * FROM input", "a UNION query"),
    ("WITH t AS (SELECT * FROM input) SELECT * FROM t", "a CTE (WITH …)"),
    ("SELECT a.id FROM input a JOIN input b ON a.id = b.id", "a JOIN"),
    ("SELECT * FROM (SELECT id FROM input) t", "a subquery in FROM"),
    ("SELECT id, x * 2 FROM input", "an output without a name (write AS name)"),
    ("SELECT hash(id) AS h FROM input", "function HASH"),
    (
        "SELECT id, SUM(x) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s"
        " FROM input",
        "a window frame other than UNBOUNDED PRECEDING to CURRENT ROW",
    ),
    (
        "SELECT id, SUM(x) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING EXCLUDE CURRENT ROW) AS s"
        " FROM input",
        "a window frame other than UNBOUNDED PRECEDING to CURRENT ROW",
    ),
    (
        "SELECT id, RANK() OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS r FROM input",
        "a window frame (ROWS or RANGE) on this function",
    ),
    (
        "SELECT id, (SELECT MAX(x) FROM input i2 WHERE i2.k = i.k) AS m FROM input i",
        "a correlated subquery",
    ),
    (
        "SELECT id FROM input WHERE id IN (SELECT id FROM input)",
        "a subquery that is not a scalar one",
    ),
    ("SELECT id FROM input QUALIFY ROW_NUMBER() OVER (ORDER BY id) = 1", "QUALIFY"),
    ("SELECT k, COUNT(*) AS c FROM input GROUP BY ALL", "GROUP BY ALL"),
    ("SELECT DISTINCT ON (k) k, id FROM input", "DISTINCT ON"),
    ("SELECT * EXCLUDE (s) FROM input", "* with EXCLUDE"),
    ("SELECT 1 AS one", "a query without FROM input"),
    ("SELECT id, (SELECT 1) AS one FROM input", "a query without FROM input"),
    ("SELECT k, COUNT(*) AS c FROM input GROUP BY 3", "a position 3 that is not an output's"),
    ("SELECT id FROM input ORDER BY 1.5", "a position 1.5 that is not an output's"),
    ("SELECT k, id AS i FROM input GROUP BY k", "column 'id' neither grouped nor aggregated"),
]


@pytest.mark.parametrize(("query", "why"), LEFT_ON_DUCKDB)
def test_other_queries_run_on_duckdb_and_name_the_construct(query: str, why: str) -> None:
    tree = query_of(query)
    with pytest.raises(NoPolarsForm, match="^" + re.escape(why)):
        lazy_query(tree, pl.from_pandas(DATA).lazy())


def test_a_flow_left_on_duckdb_says_which_construct_kept_it_there() -> None:
    outcome = run(sql_flow("SELECT a.id FROM input a JOIN input b ON a.id = b.id"))
    assert outcome.status == "succeeded", outcome.error
    assert outcome.engine == "duckdb"
    assert outcome.logs[0] == "engine: DuckDB (Polars cannot run node q: a JOIN)"


def test_a_query_duckdb_rejects_fails_with_duckdbs_message() -> None:
    outcome = run(sql_flow("SELECT missing_column AS m FROM input"))
    assert outcome.status == "failed"
    assert outcome.engine == "duckdb"
    assert "missing_column" in str(outcome.error)


def test_hidden_column_names_in_the_input_stay_on_duckdb() -> None:
    frame = pl.LazyFrame({"__q1": [1]})
    with pytest.raises(NoPolarsForm, match="__q"):
        lazy_query(query_of("SELECT * FROM input"), frame)


def test_the_median_fill_flow_of_issue_13_runs_on_polars() -> None:
    flow = sql_flow(
        "SELECT k, COUNT(DISTINCT s) AS customers, AVG(COALESCE(x, (SELECT MEDIAN(x) FROM"
        " input))) AS mean_price, SUM(COALESCE(x, (SELECT MEDIAN(x) FROM input)) * n) AS"
        " revenue FROM input WHERE n <> 0 GROUP BY k ORDER BY revenue DESC NULLS LAST, k"
    )
    rows: Any = result(flow)
    assert len(rows) == 4
    assert run(flow).engine == "polars"
