"""Rows and column statistics of a tables dataset at a snapshot (datasets/table_items.py,
table_stats.py, items_query.py) on a real DuckLake lake, checked against DuckDB reading the
same Parquet file directly and against pandas; then the items and stats routes over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets_app import Service

from galilean_services.datasets import table_stats
from galilean_services.datasets.items_query import parse_items, parse_stats
from galilean_services.datasets.model import Invalid, NotFound
from galilean_services.datasets.table_items import BLOB_CAP, list_rows
from galilean_services.datasets.table_stats import column_stats
from galilean_services.datasets.tables import TablesDataset

N = 600


def people(n: int = N, seed: int = 7) -> pa.Table:
    draw = random.Random(seed)
    names = ["ann", "bob", "cy", "dee", "Eve", "fay", "gus", None]
    return pa.table(
        {
            "id": pa.array(range(1, n + 1), pa.int64()),
            "name": [draw.choice(names) for _ in range(n)],
            "score": [
                None if i % 29 == 0 else math.nan if i % 31 == 0 else draw.uniform(-5, 95)
                for i in range(n)
            ],
            "grade": pa.array([draw.randint(1, 57) if i % 13 else None for i in range(n)]),
            "day": [
                dt.date(2024, 1, 1) + dt.timedelta(days=draw.randint(0, 365)) for _ in range(n)
            ],
            "ok": [draw.random() < 0.3 if i % 11 else None for i in range(n)],
            "price": pa.array(
                [decimal.Decimal(f"{i % 100}.25") for i in range(n)], pa.decimal128(6, 2)
            ),
        }
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def parquet(home: Path) -> Path:
    path = home / "people.parquet"
    pq.write_table(people(), path)
    return path


@pytest.fixture
def lake(home: Path, parquet: Path) -> Iterator[TablesDataset]:
    """A lake of its own, for a test that writes to it."""
    with TablesDataset(home / ".galilean" / "datasets" / "people", allowed_root=home) as opened:
        opened.write("people", parquet, author="ann", message="load")
        yield opened


@pytest.fixture(scope="module")
def shared_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("shared") / "home"
    home.mkdir()
    path = home / "people.parquet"
    pq.write_table(people(), path)
    return path


@pytest.fixture(scope="module")
def shared_lake(shared_parquet: Path) -> Iterator[TablesDataset]:
    """One lake for the tests that only read it (the module's most: opening a lake and
    writing its snapshot is most of a test's time)."""
    home = shared_parquet.parent
    with TablesDataset(home / ".galilean" / "datasets" / "people", allowed_root=home) as opened:
        opened.write("people", shared_parquet, author="ann", message="load")
        yield opened


def direct(parquet: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """`sql` with `{t}` read straight from the Parquet file (its rows numbered as `n`)."""
    source = f"read_parquet('{parquet}', file_row_number = true)"
    return duckdb.connect().execute(sql.format(t=source), params or []).fetchall()


def ids_of(page: dict[str, Any]) -> list[int]:
    return [int(row["id"]) for row in page["rows"]]


# -- paging, sort and filters --------------------------------------------------------------


def test_pages_cover_every_row_once_in_file_order(
    shared_lake: TablesDataset, shared_parquet: Path
) -> None:
    seen: list[int] = []
    offset = 0
    while True:
        page = list_rows(shared_lake, offset=offset, limit=37)
        assert page["total"] == N
        assert page["limit"] == 37
        assert page["offset"] == offset
        if not page["rows"]:
            break
        seen += ids_of(page)
        offset += 37
    expected = [
        row[0] for row in direct(shared_parquet, "SELECT id FROM {t} ORDER BY file_row_number")
    ]
    assert seen == expected


@pytest.mark.parametrize("desc", [False, True])
def test_sorting_matches_duckdb_with_nulls_last(
    shared_lake: TablesDataset, shared_parquet: Path, desc: bool
) -> None:
    way = "DESC" if desc else "ASC"
    expected = direct(
        shared_parquet,
        f"SELECT id FROM {{t}} ORDER BY grade {way} NULLS LAST, file_row_number",  # noqa: S608
    )
    got = ids_of(list_rows(shared_lake, sort="grade", desc=desc, offset=100, limit=250))
    assert got == [row[0] for row in expected[100:350]]


FILTERS: list[tuple[list[dict[str, Any]], str, list[Any]]] = [
    ([{"column": "name", "op": "=", "value": "bob"}], "name = 'bob'", []),
    ([{"column": "name", "op": "!=", "value": "bob"}], "name <> 'bob'", []),
    ([{"column": "grade", "op": "<", "value": 10}], "grade < 10", []),
    ([{"column": "grade", "op": ">=", "value": 50}], "grade >= 50", []),
    ([{"column": "score", "op": "<=", "value": 12.5}], "score <= 12.5", []),
    ([{"column": "score", "op": ">", "value": 80}], "score > 80 AND NOT isnan(score)", []),
    ([{"column": "name", "op": "contains", "value": "E"}], "lower(name) LIKE '%e%'", []),
    ([{"column": "name", "op": "starts_with", "value": "e"}], "lower(name) LIKE 'e%'", []),
    ([{"column": "name", "op": "in", "value": ["ann", "cy"]}], "name IN ('ann', 'cy')", []),
    ([{"column": "grade", "op": "is_null"}], "grade IS NULL", []),
    ([{"column": "ok", "op": "not_null"}], "ok IS NOT NULL", []),
    ([{"column": "ok", "op": "=", "value": True}], "ok", []),
    ([{"column": "day", "op": ">", "value": "2024-10-01"}], "day > DATE '2024-10-01'", []),
    ([{"column": "price", "op": "<", "value": "10.25"}], "price < 10.25", []),
    (
        [
            {"column": "name", "op": "in", "value": ["ann", "bob", "dee"]},
            {"column": "grade", "op": "<", "value": 30},
            {"column": "ok", "op": "not_null"},
        ],
        "name IN ('ann', 'bob', 'dee') AND grade < 30 AND ok IS NOT NULL",
        [],
    ),
]


@pytest.mark.parametrize(("where", "sql", "params"), FILTERS)
def test_filters_match_duckdb_on_the_parquet(
    shared_lake: TablesDataset,
    shared_parquet: Path,
    where: list[dict[str, Any]],
    sql: str,
    params: list[Any],
) -> None:
    expected = [
        row[0]
        for row in direct(
            shared_parquet,
            f"SELECT id FROM {{t}} WHERE {sql} ORDER BY file_row_number",  # noqa: S608
        )
    ]
    assert expected, "a filter that keeps nothing would prove little"
    page = list_rows(shared_lake, where=where, limit=1000)
    assert page["total"] == len(expected)
    assert ids_of(page) == expected


def test_an_older_snapshot_lists_its_own_rows(lake: TablesDataset, parquet: Path) -> None:
    lake.write("people", people(25, seed=3), author="ann", message="smaller")
    lake.write("extra", pa.table({"x": [1]}), author="ann")
    head = list_rows(lake, "people", limit=1000)
    assert (head["snapshot"], head["total"]) == (3, 25)
    old = list_rows(lake, "people", 1, limit=1000)
    assert (old["snapshot"], old["total"]) == (1, N)
    assert [r["name"] for r in old["rows"]] == [
        r[0] for r in direct(parquet, "SELECT name FROM {t}")
    ]
    assert list_rows(lake, snapshot=2)["total"] == 25  # one table then: no need to name it
    with pytest.raises(Invalid) as several:
        list_rows(lake)
    assert several.value.field == "table"
    assert "extra, people" in several.value.message
    with pytest.raises(NotFound) as missing:
        list_rows(lake, "people", 9)
    assert missing.value.field == "snapshot"
    with pytest.raises(NotFound) as gone:
        list_rows(lake, "extra", 1)
    assert gone.value.field == "table"


def test_cells_are_json_safe(home: Path) -> None:
    blob = bytes(range(256)) * 8
    table = pa.table(
        {
            "f": [math.nan, math.inf, 1.5],
            "d": [dt.date(2024, 2, 29), None, dt.date(1999, 12, 31)],
            "t": [dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.UTC), None, None],
            "m": pa.array([decimal.Decimal("12.30"), None, None], pa.decimal128(5, 2)),
            "b": [blob, b"ab", None],
            "l": [[1, 2], None, []],
        }
    )
    with TablesDataset(home / "lake", allowed_root=home) as lake:
        lake.write("odd", table, author="ann")
        page = list_rows(lake)
    json.dumps(page, allow_nan=False)
    first, second, _ = page["rows"]
    assert (first["f"], second["f"]) == (None, None)
    assert first["d"] == "2024-02-29"
    assert first["m"] == "12.30"
    assert first["t"].startswith("2024-01-01T12:30:00")
    assert first["b"] == {"base64": base64.b64encode(blob[:BLOB_CAP]).decode(), "bytes": len(blob)}
    assert second["b"] == {"base64": "YWI=", "bytes": 2}
    assert first["l"] == [1, 2]
    assert [c["type"] for c in page["columns"]][:2] == ["DOUBLE", "DATE"]


# -- hostile input -------------------------------------------------------------------------


def test_values_are_bound_never_spliced(shared_lake: TablesDataset) -> None:
    for value in ["bob' OR '1'='1", "x'); DROP TABLE lake.main.people; --", "%", "_"]:
        for op in ("=", "contains", "starts_with"):
            page = list_rows(shared_lake, where=[{"column": "name", "op": op, "value": value}])
            assert page["total"] == 0, (op, value)
    assert list_rows(shared_lake)["total"] == N


def test_unknown_or_hostile_columns_are_refused(shared_lake: TablesDataset) -> None:
    hostile = 'name" = name OR "1'
    for where in (
        [{"column": "nope", "op": "=", "value": 1}],
        [{"column": hostile, "op": "is_null"}],
    ):
        with pytest.raises(Invalid) as refused:
            list_rows(shared_lake, where=where)
        assert refused.value.field == "where"
        assert refused.value.item == where[0]["column"]
    with pytest.raises(Invalid) as sort:
        list_rows(shared_lake, sort="id; DROP TABLE x")
    assert sort.value.field == "sort"
    with pytest.raises(Invalid) as bad_value:
        list_rows(shared_lake, where=[{"column": "grade", "op": "<", "value": "ten"}])
    assert bad_value.value.field == "where"
    for limit in (0, 1001, True):
        with pytest.raises(Invalid) as paging:
            list_rows(shared_lake, limit=limit)
        assert paging.value.field == "limit"


def test_a_quoted_column_name_is_filtered_and_sorted(home: Path) -> None:
    odd = 'we"ird name'
    with TablesDataset(home / "lake", allowed_root=home) as lake:
        lake.write("t", pa.table({odd: [3, 1, 2]}), author="ann")
        page = list_rows(lake, sort=odd, where=[{"column": odd, "op": ">", "value": 1}])
    assert [row[odd] for row in page["rows"]] == [2, 3]


def test_the_query_is_checked_naming_each_parameter() -> None:
    assert parse_items({}, "tables") == {"offset": 0, "limit": 50}
    where = json.dumps([{"column": "a", "op": "in", "value": [1, "x"]}])
    parsed = parse_items({"where": [where], "desc": ["true"], "limit": ["1000"]}, "tables")
    assert parsed["where"][0]["value"] == [1, "x"]
    assert parsed["desc"] is True
    assert parse_items({"thumbnails": ["64"], "min_score": ["0.5"]}, "files")["thumbnails"] == 64
    bad = [
        ({"limit": ["0"]}, "tables", "limit"),
        ({"limit": ["1001"]}, "tables", "limit"),
        ({"offset": ["-1"]}, "tables", "offset"),
        ({"snapshot": ["0"]}, "tables", "snapshot"),
        ({"snapshot": ["\uff11"]}, "tables", "snapshot"),  # a full-width digit one
        ({"desc": ["maybe"]}, "tables", "desc"),
        ({"where": ["{"]}, "tables", "where"),
        ({"where": ['{"column": "a"}']}, "tables", "where"),
        ({"where": ['[{"column": "a", "op": "like", "value": 1}]']}, "tables", "where"),
        ({"where": ['[{"column": "a", "op": "=", "value": NaN}]']}, "tables", "where"),
        ({"where": ['[{"column": "a", "op": "=", "value": [1]}]']}, "tables", "where"),
        ({"where": ['[{"column": "a", "op": "in", "value": []}]']}, "tables", "where"),
        ({"where": ['[{"column": "a", "op": "is_null", "value": 1}]']}, "tables", "where"),
        ({"where": ['[{"column": "a", "op": "contains", "value": 1}]']}, "tables", "where"),
        ({"table": ["a", "b"]}, "tables", "table"),
        ({"split": ["train"]}, "tables", "split"),
        ({"where": ["[]"]}, "files", "where"),
        ({"min_score": ["high"]}, "files", "min_score"),
        ({"min_score": ["0.9"], "max_score": ["0.1"]}, "files", "min_score"),
        ({"thumbnails": ["4"]}, "files", "thumbnails"),
    ]
    for query, driver, field in bad:
        with pytest.raises(Invalid) as refused:
            parse_items(query, driver)
        assert refused.value.field == field, query
    with pytest.raises(Invalid) as stats:
        parse_stats({"sort": ["a"]}, "tables")
    assert stats.value.field == "sort"


# -- statistics ----------------------------------------------------------------------------


def by_name(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {column["name"]: column for column in stats["columns"]}


def test_stats_match_pandas(shared_lake: TablesDataset) -> None:
    frame = people().to_pandas()
    got = by_name(column_stats(shared_lake))
    assert column_stats(shared_lake)["rows"] == N
    for name in ("grade", "name", "ok", "day", "price"):
        series = frame[name]
        assert got[name]["nulls"] == int(series.isna().sum()), name
        assert got[name]["count"] == N - got[name]["nulls"]
        assert got[name]["distinct"] == series.nunique(), name
    nones = people()["score"].to_pylist().count(None)
    assert (got["score"]["nulls"], got["score"]["count"]) == (nones, N - nones)
    grade = frame.grade.dropna()
    g = got["grade"]
    assert (g["min"], g["max"]) == (int(grade.min()), int(grade.max()))
    assert g["mean"] == pytest.approx(grade.mean())
    assert g["stddev"] == pytest.approx(grade.std())
    width = math.ceil((grade.max() - grade.min() + 1) / 20)
    assert [b["high"] - b["low"] for b in g["histogram"]] == [width] * len(g["histogram"])
    expected_bins = ((grade - grade.min()) // width).astype(int).value_counts()
    assert [b["count"] for b in g["histogram"]] == [
        int(expected_bins.get(i, 0)) for i in range(len(g["histogram"]))
    ]


def test_float_stats_skip_nan_and_bin_like_numpy(shared_lake: TablesDataset) -> None:
    values = np.array([v for v in people()["score"].to_pylist() if v is not None], dtype=float)
    finite = values[np.isfinite(values)]
    s = by_name(column_stats(shared_lake))["score"]
    assert s["non_finite"] == len(values) - len(finite) > 0
    assert (s["min"], s["max"]) == (finite.min(), finite.max())
    assert s["mean"] == pytest.approx(finite.mean())
    assert s["stddev"] == pytest.approx(finite.std(ddof=1))
    counts, edges = np.histogram(finite, bins=20, range=(finite.min(), finite.max()))
    assert [b["count"] for b in s["histogram"]] == counts.tolist()
    assert [b["low"] for b in s["histogram"]] == pytest.approx(edges[:-1].tolist())


def test_top_values_dates_and_decimals(shared_lake: TablesDataset) -> None:
    frame = people().to_pandas()
    got = by_name(column_stats(shared_lake))
    names = frame.name.value_counts()
    assert {t["value"]: t["count"] for t in got["name"]["top"]} == names.to_dict()
    ok = frame.ok.dropna().astype(bool).value_counts()
    assert {t["value"]: t["count"] for t in got["ok"]["top"]} == ok.to_dict()
    day = got["day"]
    assert (day["min"], day["max"]) == (frame.day.min().isoformat(), frame.day.max().isoformat())
    assert len(day["histogram"]) == 20
    assert sum(b["count"] for b in day["histogram"]) == N
    assert day["histogram"][0]["low"].startswith(frame.day.min().isoformat())
    price = got["price"]
    assert (price["min"], price["max"]) == ("0.25", "99.25")
    assert price["mean"] == pytest.approx(float(frame.price.astype(float).mean()))


def test_top_lists_at_most_ten_by_count(home: Path) -> None:
    words = [f"w{i:02d}" for i in range(30) for _ in range(i + 1)]
    with TablesDataset(home / "lake", allowed_root=home) as lake:
        lake.write("w", pa.table({"word": words}), author="ann")
        top = by_name(column_stats(lake))["word"]["top"]
    assert [t["value"] for t in top] == [f"w{i:02d}" for i in range(29, 19, -1)]
    assert [t["count"] for t in top] == list(range(30, 20, -1))


def test_big_tables_say_their_distinct_counts_are_estimates(
    shared_lake: TablesDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert column_stats(shared_lake)["distinct_approx"] is False
    monkeypatch.setattr(table_stats, "EXACT_DISTINCT_ROWS", 100)
    stats = column_stats(shared_lake)
    assert stats["distinct_approx"] is True
    assert by_name(stats)["id"]["distinct"] == pytest.approx(N, rel=0.3)  # HyperLogLog


def test_stats_of_an_older_snapshot(lake: TablesDataset) -> None:
    lake.write("people", people(10, seed=1), author="ann")
    assert column_stats(lake)["rows"] == 10
    old = column_stats(lake, "people", 1)
    assert (old["snapshot"], old["rows"]) == (1, N)
    assert by_name(old)["id"]["max"] == N


# -- over HTTP -----------------------------------------------------------------------------


def test_the_items_and_stats_routes(datasets_app: Service) -> None:
    app = datasets_app
    home = app.folder_of("alice")
    made = app.ok("POST", "/api/datasets", {"name": "browse", "driver": "tables"}, status=201)
    base = f"/api/datasets/{made['id']}"
    with TablesDataset(home / ".galilean" / "datasets" / "browse", allowed_root=home) as lake:
        lake.write("people", people(), author="alice")
        lake.write("people", people(40, seed=2), author="alice")
    where = json.dumps([{"column": "name", "op": "in", "value": ["ann", "bob"]}])
    query = urlencode({"snapshot": 1, "where": where, "sort": "id", "desc": "true", "limit": 5})
    page = app.ok("GET", f"{base}/items?{query}")
    frame = people().to_pandas()
    chosen = frame[frame.name.isin(["ann", "bob"])].id.sort_values(ascending=False)
    assert page["total"] == len(chosen)
    assert ids_of(page) == chosen.tolist()[:5]
    assert app.ok("GET", f"{base}/items")["total"] == 40
    stats = app.ok("GET", f"{base}/stats?snapshot=1")
    assert stats["rows"] == N
    assert by_name(stats)["grade"]["count"] == int(frame.grade.notna().sum())

    assert app.call("GET", f"{base}/items", who="bob").status_code == 404
    assert app.call("GET", f"{base}/stats", who="bob").status_code == 404
    app.ok("PATCH", base, {"groups": ["team"]})
    assert app.ok("GET", f"{base}/items?limit=1", who="bob")["total"] == 40
    assert app.ok("GET", f"{base}/stats", who="bob")["rows"] == 40

    refusals = [
        ("items?limit=0", 400, "limit"),
        ("items?colour=red", 400, "colour"),
        ("items?where=%5B", 400, "where"),
        ("items?" + urlencode({"where": '[{"column": "x", "op": "=", "value": 1}]'}), 400, "where"),
        ("items?sort=nope", 400, "sort"),
        ("items?snapshot=99", 404, "snapshot"),
        ("items?table=gone", 404, "table"),
        ("stats?table=gone", 404, "table"),
        ("stats?limit=3", 400, "limit"),
    ]
    for path, status, field in refusals:
        reply = app.call("GET", f"{base}/{path}")
        assert reply.status_code == status, (path, reply.text)
        assert reply.json()["errors"][0]["field"] == field, (path, reply.text)
    (home / "pics").mkdir(exist_ok=True)
    files = app.ok("POST", "/api/datasets", {"name": "pics2", "folder": "pics"}, status=201)
    reply = app.call("GET", f"/api/datasets/{files['id']}/items?sort=name")
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["field"] == "sort"
