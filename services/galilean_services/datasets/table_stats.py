"""Per-column statistics of a tables dataset's table at a snapshot, as the Datasets panel
draws them: count, nulls and distinct for every column; min, max, mean and stddev for
numbers (floats: over their finite values, `non_finite` counts NaN and infinities); min and
max for dates and times; an equal-width histogram (at most BINS bins; whole-number bins for
integers) for numbers and dates; the top TOP values with exact counts for text and booleans.

Two scans of the table, whatever its width: the first computes the aggregates (text's top
candidates by `approx_top_k`), the second the histograms (bins from the first's min and
max, bound as parameters) and the candidates' exact counts. Distinct counts are exact up to
EXACT_DISTINCT_ROWS rows, HyperLogLog estimates above (`distinct_approx` says which)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from galilean_services.datasets.table_items import TableAt, cell, table_at, tables_only
from galilean_services.datasets.tables import TablesDataset
from galilean_services.datasets.tables_lake import ident

BINS = 20
TOP = 10
EXACT_DISTINCT_ROWS = 1_000_000
INTEGERS = re.compile(r"^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$")
FLOATS = ("FLOAT", "DOUBLE")
DATES = re.compile(r"^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE)$")
TEXTS = re.compile(r"^(VARCHAR|ENUM\(.*\))$")


def kind_of(sql_type: str) -> str:
    """number, date, text, boolean or other (nested types: counts only)."""
    if INTEGERS.match(sql_type) or sql_type in FLOATS or sql_type.startswith("DECIMAL"):
        return "number"
    if DATES.match(sql_type):
        return "date"
    if TEXTS.match(sql_type):
        return "text"
    return "boolean" if sql_type == "BOOLEAN" else "other"


@dataclass
class Column:
    """One column's parts of the two queries and where its values land in their rows."""

    name: str
    sql_type: str
    kind: str
    first: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def quoted(self) -> str:
        return ident(self.name)

    @property
    def finite(self) -> str:
        """The FILTER keeping the values histograms and means can use (aggregates skip
        nulls themselves; only floats have NaN and infinities)."""
        return f" FILTER (WHERE isfinite({self.quoted}))" if self.sql_type in FLOATS else ""


def first_parts(column: Column, approx: bool) -> list[str]:
    q = column.quoted
    parts = [f"count({q})"]
    parts.append(f"approx_count_distinct({q})" if approx else f"count(DISTINCT {q})")
    if column.kind == "number":
        d = f"{q}::DOUBLE"
        parts += [
            f"min({q}){column.finite}",
            f"max({q}){column.finite}",
            f"avg({d}){column.finite}",
            f"stddev_samp({d}){column.finite}",
        ]
        if column.sql_type in FLOATS:
            parts.append(f"count(*) FILTER (WHERE NOT isfinite({q}))")
    elif column.kind == "date":
        parts += [f"min({q})", f"max({q})", f"epoch(min({q}))", f"epoch(max({q}))"]
    elif column.kind == "text":
        parts.append(f"approx_top_k({q}, {TOP})")
    elif column.kind == "boolean":
        parts.append(f"histogram({q})")
    return parts


def read_first(column: Column, values: list[Any], rows: int) -> None:
    count, distinct, *rest = values
    result = column.result
    result.update(count=int(count), nulls=rows - int(count), distinct=int(distinct))
    if column.kind == "number":
        low, high, mean, stddev, *non_finite = rest
        result.update(min=cell(low), max=cell(high), mean=cell(mean), stddev=cell(stddev))
        if non_finite:
            result["non_finite"] = int(non_finite[0])
        result["_range"] = None if low is None else (float(low), float(high))
    elif column.kind == "date":
        low, high, low_s, high_s = rest
        result.update(min=cell(low), max=cell(high))
        result["_range"] = None if low is None else (float(low_s), float(high_s))
    elif column.kind == "text":
        result["_candidates"] = [value for value in rest[0] or [] if value is not None]
    elif column.kind == "boolean":
        result["top"] = _top(rest[0] or {})


@dataclass(frozen=True)
class Bins:
    low: float
    width: float
    count: int


def bins_for(column: Column) -> Bins | None:
    span = column.result.get("_range")
    if span is None:
        return None
    low, high = span
    if INTEGERS.match(column.sql_type):
        width = float(max(1, math.ceil((high - low + 1) / BINS)))
        return Bins(low, width, max(1, math.ceil((high - low + 1) / width)))
    if high <= low:
        return Bins(low, 1.0, 1)
    return Bins(low, (high - low) / BINS, BINS)


def second_part(column: Column, bins: Bins | None) -> tuple[str, list[Any]] | None:
    q = column.quoted
    if bins is not None:
        value = f"epoch({q})" if column.kind == "date" else f"{q}::DOUBLE"
        index = f"least(floor(({value} - ?) / ?), {bins.count - 1})::INTEGER"
        # least() skips a null argument: nulls must not reach the last bin
        kept = column.finite or f" FILTER (WHERE {q} IS NOT NULL)"
        return f"histogram({index}){kept}", [bins.low, bins.width]
    candidates = column.result.get("_candidates")
    if candidates:
        marks = ", ".join("?" for _ in candidates)
        return f"histogram({q}) FILTER (WHERE {q} IN ({marks}))", list(candidates)
    return None


def _edge(column: Column, value: float) -> Any:
    if column.kind == "date":
        return dt.datetime.fromtimestamp(value, dt.UTC).isoformat()
    return int(value) if INTEGERS.match(column.sql_type) else value


def histogram_of(column: Column, bins: Bins, counts: Mapping[int, int]) -> list[dict[str, Any]]:
    return [
        {
            "low": _edge(column, bins.low + index * bins.width),
            "high": _edge(column, bins.low + (index + 1) * bins.width),
            "count": int(counts.get(index, 0)),
        }
        for index in range(bins.count)
    ]


def _top(counts: Mapping[Any, int]) -> list[dict[str, Any]]:
    ranked = sorted(counts.items(), key=lambda pair: (-int(pair[1]), str(pair[0])))
    return [{"value": cell(value), "count": int(count)} for value, count in ranked[:TOP]]


def _second_scan(lake: TablesDataset, at: TableAt, columns: list[Column]) -> None:
    parts: list[tuple[Column, Bins | None, str]] = []
    params: list[Any] = []
    for column in columns:
        bins = bins_for(column)
        made = second_part(column, bins)
        if made is not None:
            parts.append((column, bins, made[0]))
            params += made[1]
    if not parts:
        return
    sql = f"SELECT {', '.join(sql for _, _, sql in parts)} FROM {at.scan}"  # noqa: S608
    row = lake.connection.execute(sql, params).fetchone() or ()
    for (column, bins, _), counts in zip(parts, row, strict=True):
        if bins is not None:
            column.result["histogram"] = histogram_of(column, bins, counts or {})
        else:
            column.result["top"] = _top(counts or {})


def column_stats(
    lake: TablesDataset, table: str | None = None, snapshot: int | None = None
) -> dict[str, Any]:
    """{table, snapshot, rows, distinct_approx, columns: [{name, type, kind, count, nulls,
    distinct, min?, max?, mean?, stddev?, non_finite?, histogram?, top?}]}."""
    at = table_at(lake, table, snapshot)
    counted = lake.connection.execute(f"SELECT count(*) FROM {at.scan}").fetchone()  # noqa: S608
    rows = int(counted[0]) if counted else 0
    approx = rows > EXACT_DISTINCT_ROWS
    columns = [Column(name, sql_type, kind_of(sql_type)) for name, sql_type in at.columns]
    selected: list[str] = []
    for column in columns:
        column.first = first_parts(column, approx)
        selected += column.first
    if selected:
        first = f"SELECT {', '.join(selected)} FROM {at.scan}"  # noqa: S608 (quoted names)
        row = lake.connection.execute(first).fetchone()
        values = list(row or ())
        for column in columns:
            read_first(column, values[: len(column.first)], rows)
            values = values[len(column.first) :]
    _second_scan(lake, at, columns)
    return {
        "table": at.name,
        "snapshot": at.snapshot,
        "rows": rows,
        "distinct_approx": approx,
        "columns": [
            {"name": c.name, "type": c.sql_type, "kind": c.kind}
            | {k: v for k, v in c.result.items() if not k.startswith("_")}
            for c in columns
        ],
    }


def stats_request(lake: object, args: Mapping[str, Any]) -> dict[str, Any]:
    """The worker's `stats` operation for a tables dataset (args from parse_stats)."""
    return column_stats(tables_only(lake), args.get("table"), args.get("snapshot"))
