"""The corpus flows (bench/flows_corpus.py) hand-written: one Polars lazy query, one DuckDB
query and pandas node by node (each step materialised, as the seed ran flows). Each reads
the tables from the working folder and writes `result.parquet` there."""

from __future__ import annotations

from typing import Any

# DuckDB: one COPY per flow (the same meaning as the flow, written by hand).
DUCKDB = {
    "monthly_revenue": """
        WITH valid AS (SELECT * FROM read_parquet('orders.parquet') WHERE status <> 'cancelled'),
        monthly AS (
          SELECT c.region, DATE_TRUNC('month', v.ts) AS month,
                 SUM(COALESCE(v.price, (SELECT MEDIAN(price) FROM valid)) * v.quantity)
                   AS revenue,
                 COUNT(DISTINCT v.customer_id) AS customers,
                 AVG(COALESCE(v.price, (SELECT MEDIAN(price) FROM valid))) AS avg_price
          FROM valid v JOIN read_parquet('customers.parquet') c USING (customer_id)
          GROUP BY ALL)
        SELECT *, RANK() OVER (PARTITION BY month ORDER BY revenue DESC) AS rank
        FROM monthly ORDER BY month, rank""",
    "string_cleaning": """
        SELECT DISTINCT TRIM(REGEXP_REPLACE(full_name, '\\s+', ' ', 'g')) AS full_name,
               LOWER(TRIM(email)) AS email, REGEXP_REPLACE(phone, '[^0-9]', '', 'g') AS phone,
               SPLIT_PART(address, ',', 1) AS street,
               LOWER(TRIM(SPLIT_PART(address, ',', 2))) AS city
        FROM read_parquet('contacts.parquet') ORDER BY email, phone""",
    "star_schema": """
        SELECT p.category, s.country, c.segment, SUM(o.price * o.quantity) AS revenue,
               COUNT(*) AS orders, AVG(o.quantity) AS avg_quantity
        FROM read_parquet('orders.parquet') o
        JOIN read_parquet('products.parquet') p USING (product_id)
        JOIN read_parquet('stores.parquet') s USING (store_id)
        JOIN read_parquet('customers.parquet') c USING (customer_id)
        WHERE o.status = 'paid' GROUP BY ALL ORDER BY ALL""",
    "windows": """
        WITH a AS (SELECT order_id, customer_id, price, quantity,
                          COALESCE(price, 0) * quantity AS amount
                   FROM read_parquet('orders.parquet'))
        SELECT *, SUM(amount) OVER (PARTITION BY customer_id ORDER BY order_id) AS running_total,
               LAG(amount) OVER (PARTITION BY customer_id ORDER BY order_id) AS previous_amount,
               RANK() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS amount_rank
        FROM a ORDER BY customer_id, order_id""",
    "sql_node": """
        WITH per AS (
          SELECT customer_id, COUNT(*) AS orders, SUM(price * quantity) AS revenue,
                 MAX(ts) AS last_order,
                 CASE WHEN SUM(price * quantity) >= 1000 THEN 'gold' ELSE 'standard' END AS tier
          FROM read_parquet('orders.parquet') WHERE status = 'paid' GROUP BY customer_id)
        SELECT * FROM per JOIN read_parquet('customers.parquet') USING (customer_id)
        ORDER BY revenue DESC, customer_id""",
    "python_node": """
        WITH per AS (
          SELECT customer_id, SUM(COALESCE(price, 0) * quantity) AS revenue, COUNT(*) AS orders
          FROM read_parquet('orders.parquet') WHERE status <> 'cancelled' GROUP BY customer_id)
        SELECT *, revenue / SUM(revenue) OVER () AS share,
               CASE WHEN revenue >= 1000 THEN 'gold' ELSE 'standard' END AS tier
        FROM per ORDER BY customer_id""",
}


def run_duckdb(name: str, budget: str = "") -> None:
    """With a `budget` (`2GB`), DuckDB's memory_limit (it spills past it)."""
    import duckdb

    with duckdb.connect(config={"memory_limit": budget} if budget else {}) as con:
        con.execute(f"COPY ({DUCKDB[name]}) TO 'result.parquet' (FORMAT PARQUET)")


def _polars(name: str) -> Any:
    import polars as pl

    def scan(table: str) -> pl.LazyFrame:
        return pl.scan_parquet(f"{table}.parquet")

    def null_sum(value: pl.Expr) -> pl.Expr:  # SQL's SUM: NULL when every value is
        return pl.when(value.count() > 0).then(value.sum())

    orders = scan("orders")
    if name == "monthly_revenue":
        return (
            orders.filter(pl.col("status") != "cancelled")
            .with_columns(pl.col("price").fill_null(pl.col("price").median()))
            .with_columns(revenue=pl.col("price") * pl.col("quantity"))
            .join(scan("customers"), on="customer_id")
            .with_columns(month=pl.col("ts").dt.truncate("1mo"))
            .group_by("region", "month")
            .agg(
                revenue=null_sum(pl.col("revenue")),
                customers=pl.col("customer_id").n_unique(),
                avg_price=pl.col("price").mean(),
            )
            .with_columns(rank=pl.col("revenue").rank("min", descending=True).over("month"))
            .sort("month", "rank")
        )
    if name == "string_cleaning":
        address = pl.col("address").str.split(",")
        return (
            scan("contacts")
            .select(
                full_name=pl.col("full_name").str.replace_all(r"\s+", " ").str.strip_chars(" "),
                email=pl.col("email").str.strip_chars(" ").str.to_lowercase(),
                phone=pl.col("phone").str.replace_all("[^0-9]", ""),
                street=address.list.get(0, null_on_oob=True),
                city=address.list.get(1, null_on_oob=True).str.strip_chars(" ").str.to_lowercase(),
            )
            .unique()
            .sort("email", "phone")
        )
    if name == "star_schema":
        return (
            orders.filter(pl.col("status") == "paid")
            .with_columns(revenue=pl.col("price") * pl.col("quantity"))
            .join(scan("products"), on="product_id")
            .join(scan("stores"), on="store_id")
            .join(scan("customers"), on="customer_id")
            .group_by("category", "country", "segment")
            .agg(
                revenue=null_sum(pl.col("revenue")),
                orders=pl.len(),
                avg_quantity=pl.col("quantity").mean(),
            )
            .sort("category", "country", "segment")
        )
    if name == "windows":
        return (
            orders.select("order_id", "customer_id", "price", "quantity")
            .with_columns(amount=pl.col("price").fill_null(0) * pl.col("quantity"))
            .with_columns(
                running_total=pl.col("amount").cum_sum().over("customer_id", order_by="order_id"),
                previous_amount=pl.col("amount").shift(1).over("customer_id", order_by="order_id"),
                amount_rank=pl.col("amount").rank("min", descending=True).over("customer_id"),
            )
            .sort("customer_id", "order_id")
        )
    if name == "sql_node":
        revenue = pl.col("price") * pl.col("quantity")
        return (
            orders.filter(pl.col("status") == "paid")
            .group_by("customer_id")
            .agg(orders=pl.len(), revenue=null_sum(revenue), last_order=pl.col("ts").max())
            .with_columns(
                tier=pl.when(pl.col("revenue") >= 1000)
                .then(pl.lit("gold"))
                .otherwise(pl.lit("standard"))
            )
            .join(scan("customers"), on="customer_id")
            .sort(["revenue", "customer_id"], descending=[True, False], nulls_last=True)
        )
    per = (
        orders.filter(pl.col("status") != "cancelled")
        .group_by("customer_id")
        .agg(revenue=(pl.col("price").fill_null(0) * pl.col("quantity")).sum(), orders=pl.len())
    )
    return per.with_columns(
        share=pl.col("revenue") / pl.col("revenue").sum(),
        tier=pl.when(pl.col("revenue") >= 1000).then(pl.lit("gold")).otherwise(pl.lit("standard")),
    ).sort("customer_id")


def run_polars(name: str) -> None:
    _polars(name).sink_parquet("result.parquet")
