"""The query builder's SQL: identifiers quoted per dialect, values as literals, and the
same description giving the same rows on PostgreSQL, MariaDB, SQLite and DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from galilean_server.query_builder import build
from galilean_services.errors import ValidationError
from harness.mariadb import MariaDB
from harness.postgres import Postgres

CUSTOMERS = pd.DataFrame(
    {"id": [1, 2, 3], "name": ["Ann", "O'Neil", "Cy"], "region": ["north", "south", "north"]}
)
ORDERS = pd.DataFrame(
    {
        "id": range(1, 9),
        "customer_id": [1, 1, 2, 3, 3, 3, 2, 1],
        "amount": [10, 20, 5, 7, 8, 9, 100, 1],
        "order": [1] * 8,
    }
)
SPEC: dict[str, Any] = {
    "table": {"name": "orders"},
    "joins": [
        {
            "table": {"name": "customers"},
            "how": "inner",
            "on": [
                {
                    "left": {"table": 0, "column": "customer_id"},
                    "right": {"table": 1, "column": "id"},
                }
            ],
        }
    ],
    "filters": [
        {"column": {"table": 0, "column": "amount"}, "op": ">=", "value": 5},
        {"column": {"table": 1, "column": "name"}, "op": "!=", "value": "x' OR '1'='1"},
    ],
    "group_by": [{"table": 1, "column": "region"}],
    "aggregates": [
        {"function": "sum", "column": {"table": 0, "column": "amount"}, "as": "revenue"},
        {
            "function": "count_distinct",
            "column": {"table": 0, "column": "customer_id"},
            "as": "customers",
        },
    ],
    "order_by": [{"column": "revenue", "descending": True}],
    "limit": 10,
}


def expected() -> list[tuple[str, int, int]]:
    joined = ORDERS.merge(CUSTOMERS, left_on="customer_id", right_on="id")
    joined = joined[joined.amount >= 5]
    grouped = joined.groupby("region").agg(
        revenue=("amount", "sum"), customers=("customer_id", "nunique")
    )
    grouped = grouped.sort_values("revenue", ascending=False).reset_index()
    return [(r.region, int(r.revenue), int(r.customers)) for r in grouped.itertuples()]


def test_quoting_per_dialect() -> None:
    spec = {"table": {"schema": "sales", "name": "order"}, "columns": [{"column": "select"}]}
    assert 't0."select"' in build(spec, "postgresql")
    assert 'FROM "sales"."order" AS t0' in build(spec, "postgresql")
    assert "t0.`select`" in build(spec, "mysql")
    assert "FROM `sales`.`order` AS t0" in build(spec, "mariadb")
    assert 't0."select"' in build(spec, "duckdb")
    assert "'x'' OR ''1''=''1'" in build(SPEC, "sqlite")  # a value stays a literal


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"table": {}}, "table"),
        ({"table": {"name": "t"}, "columns": [{"table": 3, "column": "a"}]}, "columns[0]"),
        (
            {
                "table": {"name": "t"},
                "joins": [{"table": {"name": "u"}, "how": "sideways", "on": []}],
            },
            "joins[0].how",
        ),
        (
            {"table": {"name": "t"}, "filters": [{"column": {"column": "a"}, "op": "~"}]},
            "filters[0].op",
        ),
        (
            {"table": {"name": "t"}, "aggregates": [{"function": "median"}]},
            "aggregates[0].function",
        ),
        ({"table": {"name": "t"}, "limit": 0}, "limit"),
    ],
)
def test_bad_descriptions_name_the_field(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build(spec, "postgresql")
    assert info.value.errors == [{"field": field}]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, sa.Engine]]:
    folder = tmp_path_factory.mktemp("builder")
    postgres, mariadb = Postgres().start(), MariaDB().start()
    urls = {
        "postgresql": postgres.url(),
        "mysql": mariadb.url(),
        "sqlite": f"sqlite:///{folder / 'shop.db'}",
        "duckdb": f"duckdb:///{folder / 'shop.duckdb'}",
    }
    made = {name: sa.create_engine(url) for name, url in urls.items()}
    try:
        for engine in made.values():
            CUSTOMERS.to_sql("customers", engine, index=False)
            ORDERS.to_sql("orders", engine, index=False)
        yield made
    finally:
        for engine in made.values():
            engine.dispose()
        mariadb.stop()
        postgres.stop()


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite", "duckdb"])
def test_the_same_description_gives_the_same_rows(
    engines: dict[str, sa.Engine], dialect: str, tmp_path: Path
) -> None:
    with engines[dialect].connect() as con:
        rows = con.execute(sa.text(build(SPEC, dialect))).all()
    assert [(r[0], int(r[1]), int(r[2])) for r in rows] == expected()


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite", "duckdb"])
def test_schema_listing(engines: dict[str, sa.Engine], dialect: str) -> None:
    from galilean_server.schema_browser import describe
    from galilean_services.connections import Connection

    # The browser opens a file read-only; DuckDB refuses that beside this process's own
    # read-write connection to the file (another process, a kernel, is refused likewise).
    engines[dialect].dispose()
    described = describe(Connection("db", engines[dialect].url))
    tables = {t["name"]: t for s in described["schemas"] for t in s["tables"]}
    assert {"customers", "orders"} <= set(tables)
    assert [c["name"] for c in tables["orders"]["columns"]] == [
        "id",
        "customer_id",
        "amount",
        "order",
    ]
    assert tables["customers"]["kind"] == "table"
