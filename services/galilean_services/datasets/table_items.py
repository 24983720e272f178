"""Rows of a tables dataset's table at a snapshot, for browsing: paging, a sort column and
filters (items_query.py checks their shape; NaN meets no <, <=, > or >= filter, though
DuckDB orders it above every number; here their columns are checked against the
table's schema at that snapshot and quoted from it, and every value is bound as a
parameter, never spliced into SQL). Cells come back JSON-safe: dates and times ISO,
decimals as text, NaN and infinities as null, blobs as {base64, bytes} cut at BLOB_CAP."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from galilean_services.datasets.items_query import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    check_where,
)
from galilean_services.datasets.model import Invalid, NotFound
from galilean_services.datasets.tables import TablesDataset
from galilean_services.datasets.tables_lake import columns_of, ident

BLOB_CAP = 1024
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
ORDERINGS = ("<", "<=", ">", ">=")


@dataclass(frozen=True)
class TableAt:
    """One table of one snapshot: its FROM clause and its columns (name, type)."""

    name: str
    snapshot: int
    scan: str
    columns: list[tuple[str, str]]

    def quoted(self, column: str, field: str) -> str:
        if column not in dict(self.columns):
            raise Invalid(
                f"{field}: table {self.name!r} has no column {column!r}", field=field, item=column
            )
        return ident(column)


def snapshot_number(lake: TablesDataset, number: int | None) -> int:
    """The snapshot asked for (the head when None), NotFound naming `snapshot`."""
    try:
        return (lake.head_or_fail() if number is None else lake.get(number)).number
    except NotFound as missing:
        raise NotFound(missing.message, field="snapshot", item=missing.item) from None


def table_at(lake: TablesDataset, table: str | None, number: int | None) -> TableAt:
    """The table named (or the only one) at the snapshot; Invalid naming `table` and
    listing the tables when there are several and none is named."""
    snapshot = snapshot_number(lake, number)
    names = lake.tables(snapshot)
    if table is None:
        if len(names) != 1:
            listed = ", ".join(names) or "none"
            raise Invalid(
                f"table: snapshot {snapshot} holds {len(names)} tables, name one: {listed}",
                field="table",
            )
        table = names[0]
    scan = lake.scan_sql(table, snapshot)
    return TableAt(
        table, snapshot, scan, columns_of(lake.connection, table, lake.lake_version(snapshot))
    )


def condition_sql(table: TableAt, condition: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """One condition as SQL with `?` placeholders and its parameters."""
    column = table.quoted(condition["column"], "where")
    op: str = condition["op"]
    value: Any = condition.get("value")
    if op == "is_null":
        return f"{column} IS NULL", []
    if op == "not_null":
        return f"{column} IS NOT NULL", []
    if op == "in":
        return f"{column} IN ({', '.join('?' for _ in value)})", list(value)
    if op == "contains":  # case-insensitive, no wildcards
        return f"contains(lower(CAST({column} AS VARCHAR)), lower(?))", [value]
    if op == "starts_with":
        return f"starts_with(lower(CAST({column} AS VARCHAR)), lower(?))", [value]
    if op in ORDERINGS and dict(table.columns)[condition["column"]] in ("FLOAT", "DOUBLE"):
        return f"{column} {op} ? AND NOT isnan({column})", [value]  # DuckDB: NaN > all
    if op in COMPARISONS:
        return f"{column} {op} ?", [value]
    raise Invalid(f"where: unknown operator {op!r}", field="where")


def where_sql(table: TableAt, conditions: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    parts, params = [], []
    for condition in conditions:
        sql, bound = condition_sql(table, condition)
        parts.append(f"({sql})")
        params += bound
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def order_sql(table: TableAt, sort: str | None, desc: bool) -> str:
    """By the sort column (nulls last), then by row id so that pages never overlap."""
    if sort is None:
        return " ORDER BY rowid"
    direction = "DESC" if desc else "ASC"
    return f" ORDER BY {table.quoted(sort, 'sort')} {direction} NULLS LAST, rowid"


def cell(value: Any) -> Any:
    """A DuckDB value as JSON can carry it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return {"base64": base64.b64encode(raw[:BLOB_CAP]).decode(), "bytes": len(raw)}
    if isinstance(value, dict):
        return {str(key): cell(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [cell(item) for item in value]
    if isinstance(value, uuid.UUID | dt.timedelta):
        return str(value)
    return str(value)


def _run(lake: TablesDataset, sql: str, params: list[Any]) -> duckdb.DuckDBPyConnection:
    try:
        return lake.connection.execute(sql, params)
    except (duckdb.ConversionException, duckdb.BinderException) as failed:
        reason = str(failed).splitlines()[0]
        raise Invalid(f"where: a value does not suit its column: {reason}", field="where") from None


def tables_only(store: object) -> TablesDataset:
    if not isinstance(store, TablesDataset):
        raise Invalid("table: rows and column statistics are for tables datasets", field="table")
    return store


def _count(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{field}: a whole number from {low} to {high}", field=field)
    return value


def list_rows(
    lake: TablesDataset,
    table: str | None = None,
    snapshot: int | None = None,
    *,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    sort: str | None = None,
    desc: bool = False,
    where: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """{table, snapshot, columns, rows, total (with the filters), offset, limit}."""
    offset = _count(offset, "offset", 0, 2**63 - 1)
    limit = _count(limit, "limit", 1, MAX_LIMIT)
    at = table_at(lake, table, snapshot)
    filters, params = where_sql(at, check_where(where or []))
    order = order_sql(at, sort, desc)
    # The scan and the column names are quoted from the catalog; values are parameters.
    counted = _run(lake, f"SELECT count(*) FROM {at.scan}{filters}", params).fetchone()  # noqa: S608
    page = f"SELECT * FROM {at.scan}{filters}{order} LIMIT ? OFFSET ?"  # noqa: S608
    cursor = _run(lake, page, [*params, limit, offset])
    names = [column[0] for column in cursor.description or []]
    rows = [
        {name: cell(value) for name, value in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]
    return {
        "table": at.name,
        "snapshot": at.snapshot,
        "columns": [{"name": name, "type": kind} for name, kind in at.columns],
        "rows": rows,
        "total": int(counted[0]) if counted else 0,
        "offset": offset,
        "limit": limit,
    }


def items_request(lake: object, args: Mapping[str, Any]) -> dict[str, Any]:
    """The worker's `items` operation for a tables dataset (args from parse_items)."""
    lake = tables_only(lake)
    return list_rows(
        lake,
        args.get("table"),
        args.get("snapshot"),
        offset=args.get("offset", 0),
        limit=args.get("limit", DEFAULT_LIMIT),
        sort=args.get("sort"),
        desc=bool(args.get("desc", False)),
        where=args.get("where"),
    )
