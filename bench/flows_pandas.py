"""The corpus flows in pandas, node by node (each step materialised, as the seed ran
flows): the baseline of the issue's "≥ 3x pandas" goal. Each writes `result.parquet`."""

from __future__ import annotations

from typing import Any

from flows_corpus import PYTHON_CODE


def _read(table: str) -> Any:
    import pandas as pd

    return pd.read_parquet(f"{table}.parquet")


def monthly_revenue() -> Any:
    orders, customers = _read("orders"), _read("customers")
    valid = orders[orders["status"] != "cancelled"]
    filled = valid.assign(price=valid["price"].fillna(valid["price"].median()))
    revenue = filled.assign(revenue=filled["price"] * filled["quantity"])
    joined = revenue.merge(customers, on="customer_id", how="inner")
    month = joined.assign(month=joined["ts"].dt.to_period("M").dt.to_timestamp())
    monthly = month.groupby(["region", "month"], as_index=False).agg(
        revenue=("revenue", lambda s: s.sum(min_count=1)),
        customers=("customer_id", "nunique"),
        avg_price=("price", "mean"),
    )
    monthly["rank"] = (
        monthly.groupby("month")["revenue"].rank(method="min", ascending=False).astype("int64")
    )
    return monthly.sort_values(["month", "rank"])


def string_cleaning() -> Any:
    contacts = _read("contacts")
    email = contacts.assign(email=contacts["email"].str.strip().str.lower())
    name = email.assign(
        full_name=email["full_name"].str.replace(r"\s+", " ", regex=True).str.strip()
    )
    phone = name.assign(phone=name["phone"].str.replace("[^0-9]", "", regex=True))
    parts = phone["address"].str.split(",", n=1, expand=True)
    split = phone.assign(street=parts[0], city=parts[1].str.split(",").str[0])
    city = split.assign(city=split["city"].str.strip().str.lower())
    keep = city[["full_name", "email", "phone", "street", "city"]]
    return keep.drop_duplicates().sort_values(["email", "phone"])


def star_schema() -> Any:
    orders = _read("orders")
    paid = orders[orders["status"] == "paid"]
    revenue = paid.assign(revenue=paid["price"] * paid["quantity"])
    joined = (
        revenue.merge(_read("products"), on="product_id")
        .merge(_read("stores"), on="store_id")
        .merge(_read("customers"), on="customer_id")
    )
    totals = joined.groupby(["category", "country", "segment"], as_index=False).agg(
        revenue=("revenue", lambda s: s.sum(min_count=1)),
        orders=("order_id", "size"),
        avg_quantity=("quantity", "mean"),
    )
    return totals.sort_values(["category", "country", "segment"])


def windows() -> Any:
    orders = _read("orders")
    keep = orders[["order_id", "customer_id", "price", "quantity"]]
    amount = keep.assign(amount=keep["price"].fillna(0) * keep["quantity"])
    ordered = amount.sort_values(["customer_id", "order_id"])
    groups = ordered.groupby("customer_id")["amount"]
    running = ordered.assign(running_total=groups.cumsum())
    previous = running.assign(previous_amount=groups.shift(1))
    ranked = previous.assign(amount_rank=groups.rank(method="min", ascending=False).astype("int64"))
    return ranked.sort_values(["customer_id", "order_id"])


def sql_node() -> Any:
    orders = _read("orders")
    paid = orders[orders["status"] == "paid"]
    paid = paid.assign(value=paid["price"] * paid["quantity"])
    per = paid.groupby("customer_id", as_index=False).agg(
        orders=("order_id", "size"),
        revenue=("value", lambda s: s.sum(min_count=1)),
        last_order=("ts", "max"),
    )
    per["tier"] = "standard"
    per.loc[per["revenue"] >= 1000, "tier"] = "gold"
    joined = per.merge(_read("customers"), on="customer_id")
    return joined.sort_values(["revenue", "customer_id"], ascending=[False, True])


def python_node() -> Any:
    orders = _read("orders")
    valid = orders[orders["status"] != "cancelled"]
    revenue = valid.assign(revenue=valid["price"].fillna(0) * valid["quantity"])
    per = revenue.groupby("customer_id", as_index=False).agg(
        revenue=("revenue", "sum"), orders=("order_id", "size")
    )
    scope: dict[str, Any] = {}
    exec(PYTHON_CODE, scope)  # noqa: S102 (the flow's own code, as its Python node runs it)
    return scope["transform"](per).sort_values("customer_id")


FLOWS = {
    "monthly_revenue": monthly_revenue,
    "string_cleaning": string_cleaning,
    "star_schema": star_schema,
    "windows": windows,
    "sql_node": sql_node,
    "python_node": python_node,
}


def run_pandas(name: str) -> None:
    FLOWS[name]().to_parquet("result.parquet", index=False)
