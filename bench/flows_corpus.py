"""The flows benchmark corpus: seeded data and six `.flow` documents written as a user draws
them in the designer (the kinds, not precomputed columns). bench/flows_refs.py holds the
same flows hand-written in Polars, DuckDB and pandas; bench/flows.py times them.

Data (deterministic: DuckDB's `hash` of the row number, no clock, no random state):
orders (`rows` rows), customers (100k), products (10k), stores (500), contacts (`rows`).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

CUSTOMERS, PRODUCTS, STORES = 100_000, 10_000, 500

Node = dict[str, Any]


def generate(folder: Path, rows: int) -> None:
    """Write the tables of every flow into `folder` as Parquet."""
    import duckdb

    people = max(rows // 2, 1)
    tables = {
        "orders": f"""
            SELECT i AS order_id, (hash(i) % {CUSTOMERS})::BIGINT AS customer_id,
                   (hash(i * 3) % {PRODUCTS})::BIGINT AS product_id,
                   (hash(i * 5) % {STORES})::BIGINT AS store_id,
                   TIMESTAMP '2024-01-01' + to_seconds((hash(i * 11) % 63072000)::BIGINT) AS ts,
                   CASE WHEN hash(i * 17) % 20 = 0 THEN NULL
                        ELSE ((hash(i * 19) % 50) * 2 + 0.5)::DOUBLE END AS price,
                   (hash(i * 29) % 5 + 1)::INTEGER AS quantity,
                   CASE WHEN hash(i * 23) % 10 = 0 THEN 'cancelled'
                        WHEN hash(i * 23) % 10 = 1 THEN 'refunded' ELSE 'paid' END AS status
            FROM range({rows}) t(i)""",  # noqa: S608 (numbers only)
        "customers": f"""
            SELECT i AS customer_id, 'region ' || (hash(i * 7) % 12) AS region,
                   ['consumer', 'business', 'public'][(hash(i * 13) % 3 + 1)::INTEGER] AS segment
            FROM range({CUSTOMERS}) t(i)""",  # noqa: S608 (numbers only)
        "products": f"""
            SELECT i AS product_id, 'category ' || (hash(i * 7) % 40) AS category,
                   'brand ' || (hash(i * 13) % 300) AS brand
            FROM range({PRODUCTS}) t(i)""",  # noqa: S608 (numbers only)
        "stores": f"""
            SELECT i AS store_id, 'city ' || (hash(i * 7) % 80) AS city,
                   ['DE', 'FR', 'IT', 'ES', 'NL', 'PL'][(hash(i * 13) % 6 + 1)::INTEGER] AS country
            FROM range({STORES}) t(i)""",  # noqa: S608 (numbers only)
        # Each person appears twice on average, spelt differently (case, spaces, phone format).
        "contacts": f"""
            SELECT i AS contact_id,
                   CASE WHEN hash(i) % 2 = 0 THEN '  ' ELSE '' END || 'Person  '
                     || (i % {people}) || CASE WHEN hash(i * 3) % 2 = 0 THEN ' ' ELSE '' END
                     AS full_name,
                   CASE WHEN hash(i * 5) % 2 = 0 THEN upper('user' || (i % {people}))
                        ELSE 'User' || (i % {people}) END || '@Example.com '
                     AS email,
                   CASE WHEN hash(i * 7) % 2 = 0 THEN '(555) ' ELSE '555-' END
                     || lpad(((i % {people}) % 10000000)::VARCHAR, 7, '0') AS phone,
                   (i % {people} % 997) || ' Main St, '
                     || CASE WHEN hash(i * 11) % 2 = 0 THEN ' City ' ELSE 'city ' END
                     || (i % {people} % 50) AS address
            FROM range({rows}) t(i)""",  # noqa: S608 (numbers only)
    }
    with duckdb.connect() as con:
        for name, query in tables.items():
            con.execute(f"COPY ({query}) TO '{folder}/{name}.parquet' (FORMAT PARQUET)")


def node(node_id: str, kind: str, **params: Any) -> Node:
    return {"id": node_id, "kind": kind, "params": params}


def source(table: str) -> Node:
    return node(table, "source.file", path=f"{table}.parquet")


def flow(name: str, nodes: list[Node], edges: list[tuple[str, str]]) -> dict[str, Any]:
    """A flow document; an edge's target may name its port (`joined:right`)."""
    wires = []
    for i, (start, end) in enumerate(edges):
        target, _, port = end.partition(":")
        wires.append(
            {
                "id": f"e{i + 1}",
                "from": {"node": start},
                "to": {"node": target, **({"port": port} if port else {})},
            }
        )
    return {"galilean_flow": 1, "name": name, "nodes": nodes, "edges": wires}


def chain(*ids: str) -> list[tuple[str, str]]:
    return list(itertools.pairwise(ids))


def save() -> Node:
    return node("save", "destination.file", path="result.parquet")


def join(node_id: str, key: str, how: str = "inner") -> Node:
    return node(node_id, "transform.join", how=how, on=[{"left": key, "right": key}])


MEDIAN_FILL_SQL = (
    "SELECT * REPLACE (COALESCE(price, (SELECT MEDIAN(price) FROM input)) AS price) FROM input"
)


def median_fill() -> tuple[Node, str]:
    """Missing prices filled with their median: `transform.fill_missing` when it offers a
    median method, else the SQL node a user writes today (and which of the two)."""
    from galilean_services.flows.kinds.transforms.fill_missing import FillMissing

    properties = FillMissing.params_schema.get("properties", {})
    if isinstance(properties, dict) and "method" in properties:
        return node("filled", "transform.fill_missing", method={"price": "median"}), "kind"
    return node("filled", "transform.sql", query=MEDIAN_FILL_SQL), "sql"


def monthly_revenue() -> dict[str, Any]:
    """The issue's shape: 10 nodes, the way a user draws it."""
    filled, _ = median_fill()
    nodes = [
        source("orders"),
        source("customers"),
        node("valid", "transform.filter", condition="status <> 'cancelled'"),
        filled,
        node("revenue", "transform.add_column", name="revenue", expression="price * quantity"),
        join("joined", "customer_id"),
        node("month", "transform.add_column", name="month", expression="DATE_TRUNC('month', ts)"),
        node(
            "monthly",
            "transform.aggregate",
            group_by=["region", "month"],
            aggregations=[
                {"column": "revenue", "function": "sum", "as": "revenue"},
                {"column": "customer_id", "function": "count_distinct", "as": "customers"},
                {"column": "price", "function": "avg", "as": "avg_price"},
            ],
        ),
        node(
            "ranked",
            "transform.window",
            function="rank",
            partition_by=["month"],
            order_by=[{"column": "revenue", "descending": True}],
            **{"as": "rank"},
        ),
        node("ordered", "transform.sort", keys=[{"column": "month"}, {"column": "rank"}]),
        save(),
    ]
    edges = [
        *chain("orders", "valid", "filled", "revenue"),
        ("revenue", "joined:left"),
        ("customers", "joined:right"),
        *chain("joined", "month", "monthly", "ranked", "ordered", "save"),
    ]
    return flow("Monthly revenue by region", nodes, edges)


def string_cleaning() -> dict[str, Any]:
    nodes = [
        source("contacts"),
        node("email", "transform.add_column", name="email", expression="LOWER(TRIM(email))"),
        node(
            "name",
            "transform.add_column",
            name="full_name",
            expression="TRIM(REGEXP_REPLACE(full_name, '\\s+', ' ', 'g'))",
        ),
        node(
            "phone",
            "transform.add_column",
            name="phone",
            expression="REGEXP_REPLACE(phone, '[^0-9]', '', 'g')",
        ),
        node(
            "split",
            "transform.split_column",
            column="address",
            separator=",",
            into=["street", "city"],
        ),
        node("city", "transform.add_column", name="city", expression="LOWER(TRIM(city))"),
        node("keep", "transform.select", columns=["full_name", "email", "phone", "street", "city"]),
        node("unique", "transform.deduplicate"),
        node("ordered", "transform.sort", keys=[{"column": "email"}, {"column": "phone"}]),
        save(),
    ]
    ids = [n["id"] for n in nodes]
    return flow("Clean contacts", nodes, chain(*ids))


def star_schema() -> dict[str, Any]:
    nodes = [
        source("orders"),
        source("products"),
        source("stores"),
        source("customers"),
        node("paid", "transform.filter", condition="status = 'paid'"),
        node("revenue", "transform.add_column", name="revenue", expression="price * quantity"),
        join("with_product", "product_id"),
        join("with_store", "store_id"),
        join("with_customer", "customer_id"),
        node(
            "totals",
            "transform.aggregate",
            group_by=["category", "country", "segment"],
            aggregations=[
                {"column": "revenue", "function": "sum", "as": "revenue"},
                {"function": "count", "as": "orders"},
                {"column": "quantity", "function": "avg", "as": "avg_quantity"},
            ],
        ),
        node(
            "ordered",
            "transform.sort",
            keys=[{"column": "category"}, {"column": "country"}, {"column": "segment"}],
        ),
        save(),
    ]
    edges = [
        *chain("orders", "paid", "revenue"),
        ("revenue", "with_product:left"),
        ("products", "with_product:right"),
        ("with_product", "with_store:left"),
        ("stores", "with_store:right"),
        ("with_store", "with_customer:left"),
        ("customers", "with_customer:right"),
        *chain("with_customer", "totals", "ordered", "save"),
    ]
    return flow("Revenue by category, country and segment", nodes, edges)


def windows() -> dict[str, Any]:
    by_order = [{"column": "order_id"}]
    nodes = [
        source("orders"),
        node("keep", "transform.select", columns=["order_id", "customer_id", "price", "quantity"]),
        node(
            "amount",
            "transform.add_column",
            name="amount",
            expression="COALESCE(price, 0) * quantity",
        ),
        node(
            "running",
            "transform.window",
            function="sum",
            column="amount",
            partition_by=["customer_id"],
            order_by=by_order,
            **{"as": "running_total"},
        ),
        node(
            "previous",
            "transform.window",
            function="lag",
            column="amount",
            partition_by=["customer_id"],
            order_by=by_order,
            **{"as": "previous_amount"},
        ),
        node(
            "ranked",
            "transform.window",
            function="rank",
            partition_by=["customer_id"],
            order_by=[{"column": "amount", "descending": True}],
            **{"as": "amount_rank"},
        ),
        node("ordered", "transform.sort", keys=[{"column": "customer_id"}, {"column": "order_id"}]),
        save(),
    ]
    return flow("Running totals per customer", nodes, chain(*[n["id"] for n in nodes]))


CUSTOMER_SQL = """SELECT customer_id, COUNT(*) AS orders, SUM(price * quantity) AS revenue,
  MAX(ts) AS last_order,
  CASE WHEN SUM(price * quantity) >= 1000 THEN 'gold' ELSE 'standard' END AS tier
FROM input GROUP BY customer_id"""


def sql_node() -> dict[str, Any]:
    nodes = [
        source("orders"),
        source("customers"),
        node("paid", "transform.filter", condition="status = 'paid'"),
        node("per_customer", "transform.sql", query=CUSTOMER_SQL),
        join("joined", "customer_id"),
        node(
            "ordered",
            "transform.sort",
            keys=[{"column": "revenue", "descending": True}, {"column": "customer_id"}],
        ),
        save(),
    ]
    edges = [
        *chain("orders", "paid", "per_customer"),
        ("per_customer", "joined:left"),
        ("customers", "joined:right"),
        *chain("joined", "ordered", "save"),
    ]
    return flow("Customers by revenue (SQL node)", nodes, edges)


PYTHON_CODE = """def transform(df):
    df = df.copy()
    df["share"] = df["revenue"] / df["revenue"].sum()
    df["tier"] = "standard"
    df.loc[df["revenue"] >= 1000, "tier"] = "gold"
    return df
"""


def python_node() -> dict[str, Any]:
    nodes = [
        source("orders"),
        node("valid", "transform.filter", condition="status <> 'cancelled'"),
        node(
            "revenue",
            "transform.add_column",
            name="revenue",
            expression="COALESCE(price, 0) * quantity",
        ),
        node(
            "per_customer",
            "transform.aggregate",
            group_by=["customer_id"],
            aggregations=[
                {"column": "revenue", "function": "sum", "as": "revenue"},
                {"function": "count", "as": "orders"},
            ],
        ),
        node(
            "scored",
            "transform.python",
            code=PYTHON_CODE,
            output_columns=["customer_id", "revenue", "orders", "share", "tier"],
        ),
        node("ordered", "transform.sort", keys=[{"column": "customer_id"}]),
        save(),
    ]
    return flow("Customer tiers (Python node)", nodes, chain(*[n["id"] for n in nodes]))


BUILDERS = {
    "monthly_revenue": monthly_revenue,
    "string_cleaning": string_cleaning,
    "star_schema": star_schema,
    "windows": windows,
    "sql_node": sql_node,
    "python_node": python_node,
}


def write_flows(folder: Path, names: list[str]) -> None:
    """Each flow as `<name>.flow` in `folder`, next to its data."""
    for name in names:
        (folder / f"{name}.flow").write_text(json.dumps(BUILDERS[name](), indent=2))
