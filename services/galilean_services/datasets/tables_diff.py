"""Row-level diff of the `tables` driver between two snapshots. When a table kept its
identity, only the rows DuckLake reports changed in the range are read (`tables_changes`,
from its insertions and deletions; `table_changes` when no column can be named apart from
its row ids): a row's state at the older snapshot is its first pre-image (or deletion) in
the range, its state at the newer one its last post-image (or insertion). A table
created, dropped or re-created with other columns is compared whole. Rows are matched on
the table's declared key (then changed rows list their changed cells); without a key,
rows are compared whole, so a change shows as one row removed and one added. Per-column
statistics come side by side."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import duckdb

from galilean_services.datasets import tables_changes
from galilean_services.datasets.tables_lake import (
    LAKE,
    USER_SCHEMA,
    columns_of,
    ident,
    quote,
    tables_at,
)

OLD, NEW = "galilean_diff_old", "galilean_diff_new"
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
           "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")  # fmt: skip
Side = tuple[int, int]  # (our snapshot number, DuckLake snapshot id)
KeysAt = Callable[[int], dict[str, list[str]]]


def diff(
    connection: duckdb.DuckDBPyConnection,
    older: Side,
    newer: Side,
    keys_at: KeysAt,
    limit: int,
    meta: str,
    stats: bool = True,
) -> dict[str, Any]:
    before = tables_at(connection, older[1], meta)
    after = tables_at(connection, newer[1], meta)
    keys = {**keys_at(older[1]), **keys_at(newer[1])}
    tables = {}
    for name in sorted(before.keys() | after.keys()):
        table = TableDiff(connection, name, older[1] if name in before else None,
                          newer[1] if name in after else None)  # fmt: skip
        same_table = before.get(name) == after.get(name) and older[1] <= newer[1]
        tables[name] = table.compare(keys.get(name), same_table, limit, stats)
    return {"older": older[0], "newer": newer[0], "tables": tables}


class TableDiff:
    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        name: str,
        older: int | None,
        newer: int | None,
    ) -> None:
        self.connection = connection
        self.name = name
        self.older = older
        self.newer = newer
        self.old_columns = [] if older is None else columns_of(connection, name, older)
        self.new_columns = [] if newer is None else columns_of(connection, name, newer)

    def compare(
        self, key: list[str] | None, same_table: bool, limit: int, stats: bool
    ) -> dict[str, Any]:
        common = [c for c, _ in self.new_columns if c in dict(self.old_columns)]
        if self.older is None or self.newer is None:
            common = [c for c, _ in self.new_columns or self.old_columns]
        if key is not None and not all(column in common for column in key):
            key = None
        try:
            self._load_sides(same_table, common)
            rows = _compare_rows(self.connection, common, key, limit)
        finally:
            for side in (OLD, NEW):
                self.connection.execute(f"DROP TABLE IF EXISTS {side}")
        old_names = dict(self.old_columns)
        new_names = dict(self.new_columns)
        result: dict[str, Any] = {
            "status": self._status(rows),
            "key": key,
            **rows,
            "columns": {
                "added": [c for c in new_names if c not in old_names],
                "removed": [c for c in old_names if c not in new_names],
            },
        }
        if stats:
            result["stats"] = self._stats_side_by_side()
        return result

    def _status(self, rows: dict[str, Any]) -> str:
        if self.older is None:
            return "added"
        if self.newer is None:
            return "removed"
        counts = rows["counts"]
        changed = any(counts.values()) or self.old_columns != self.new_columns
        return "modified" if changed else "unchanged"

    def _load_sides(self, same_table: bool, common: list[str]) -> None:
        names = ", ".join(ident(c) for c in common) or "*"  # no column in common: whole rows
        if same_table and self.older is not None and self.newer is not None:
            if self.newer > self.older and tables_changes.usable(common):
                tables_changes.load_sides(self.connection, self.name, self.older + 1,
                                          self.newer, common, (OLD, NEW))  # fmt: skip
                return
            changes = (
                f"{LAKE}.table_changes({quote(self.name)}, {self.older + 1}, {self.newer})"
                if self.newer > self.older
                else None
            )
            self._load_from_changes(changes, names)
            return
        present = self._at(self.newer if self.newer is not None else self.older)
        for side, version in ((OLD, self.older), (NEW, self.newer)):
            empty = "" if version is not None else " LIMIT 0"
            source = self._at(version) or present
            self.connection.execute(
                f"CREATE TEMP TABLE {side} AS SELECT {names} FROM {source}{empty}"
            )

    def _load_from_changes(self, changes: str | None, names: str) -> None:
        if changes is None:
            current = self._at(self.newer)
            for side in (OLD, NEW):
                self.connection.execute(
                    f"CREATE TEMP TABLE {side} AS SELECT {names} FROM {current} LIMIT 0"
                )
            return
        self.connection.execute(
            f"CREATE TEMP TABLE galilean_diff_changes AS SELECT * FROM {changes}"
        )
        try:
            for side, skip, order, absent in (
                (OLD, "update_postimage", "ASC", "insert"),
                (NEW, "update_preimage", "DESC", "delete"),
            ):
                self.connection.execute(
                    f"""CREATE TEMP TABLE {side} AS SELECT {names} FROM (
                        SELECT * FROM galilean_diff_changes WHERE change_type <> '{skip}'
                        QUALIFY row_number() OVER (
                            PARTITION BY rowid ORDER BY snapshot_id {order}) = 1)
                        WHERE change_type <> '{absent}'"""
                )
        finally:
            self.connection.execute("DROP TABLE IF EXISTS galilean_diff_changes")

    def _at(self, version: int | None) -> str:
        if version is None:
            return ""
        return f"{LAKE}.{USER_SCHEMA}.{ident(self.name)} AT (VERSION => {int(version)})"

    def _stats_side_by_side(self) -> dict[str, dict[str, Any]]:
        older = self._stats(self.older, self.old_columns)
        newer = self._stats(self.newer, self.new_columns)
        names = [c for c, _ in self.new_columns] + [
            c for c, _ in self.old_columns if c not in dict(self.new_columns)
        ]
        return {name: {"older": older.get(name), "newer": newer.get(name)} for name in names}

    def _stats(
        self, version: int | None, columns: list[tuple[str, str]]
    ) -> dict[str, dict[str, Any]]:
        if version is None or not columns:
            return {}
        parts = ["count(*)"]
        for name, kind in columns:
            column = ident(name)
            numeric = kind.startswith(NUMERIC)
            parts += [
                f"count({column})",
                f"min({column})::VARCHAR",
                f"max({column})::VARCHAR",
                f"avg({column})::DOUBLE" if numeric else "NULL",
                f"approx_count_distinct({column})",
            ]
        row = self.connection.execute(
            f"SELECT {', '.join(parts)} FROM {self._at(version)}"
        ).fetchone()
        if row is None:
            return {}
        total = int(row[0])
        result = {}
        for index, (name, _) in enumerate(columns):
            count, low, high, mean, distinct = row[1 + 5 * index : 6 + 5 * index]
            result[name] = {"count": int(count), "nulls": total - int(count), "min": low,
                            "max": high, "mean": mean, "distinct": int(distinct)}  # fmt: skip
        return result


def _compare_rows(
    connection: duckdb.DuckDBPyConnection, common: list[str], key: list[str] | None, limit: int
) -> dict[str, Any]:
    if not common:
        removed, added = f"SELECT * FROM {OLD}", f"SELECT * FROM {NEW}"
        changed_rows: list[dict[str, Any]] = []
        changed_count = 0
    elif key is None:
        removed = f"SELECT * FROM {OLD} EXCEPT ALL SELECT * FROM {NEW}"
        added = f"SELECT * FROM {NEW} EXCEPT ALL SELECT * FROM {OLD}"
        changed_rows, changed_count = [], 0
    else:
        on = " AND ".join(f"o.{ident(c)} IS NOT DISTINCT FROM n.{ident(c)}" for c in key)
        removed = f"SELECT o.* FROM {OLD} o ANTI JOIN {NEW} n ON {on}"
        added = f"SELECT n.* FROM {NEW} n ANTI JOIN {OLD} o ON {on}"
        changed_count, changed_rows = _changed(connection, common, key, on, limit)
    removed_count, removed_rows = _counted(connection, removed, limit)
    added_count, added_rows = _counted(connection, added, limit)
    return {
        "counts": {"added": added_count, "removed": removed_count, "changed": changed_count},
        "added": added_rows,
        "removed": removed_rows,
        "changed": changed_rows,
    }


def _changed(
    connection: duckdb.DuckDBPyConnection, common: list[str], key: list[str], on: str, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    rest = [c for c in common if c not in key]
    if not rest:
        return 0, []
    differs = " OR ".join(f"o.{ident(c)} IS DISTINCT FROM n.{ident(c)}" for c in rest)
    pairs = ", ".join(f"o.{ident(c)}, n.{ident(c)}" for c in rest)
    keys = ", ".join(f"n.{ident(c)}" for c in key)
    query = f"SELECT {keys}, {pairs} FROM {OLD} o JOIN {NEW} n ON {on} WHERE {differs}"
    total = connection.execute(f"SELECT count(*) FROM ({query})").fetchone()
    listed = []
    for row in connection.execute(f"{query} ORDER BY ALL LIMIT {int(limit)}").fetchall():
        cells = {}
        for index, column in enumerate(rest):
            old, new = row[len(key) + 2 * index], row[len(key) + 2 * index + 1]
            if old != new:
                cells[column] = {"older": plain(old), "newer": plain(new)}
        listed.append(
            {"key": {c: plain(v) for c, v in zip(key, row, strict=False)}, "cells": cells}
        )
    return int(total[0]) if total else 0, listed


def _counted(
    connection: duckdb.DuckDBPyConnection, query: str, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    total = connection.execute(f"SELECT count(*) FROM ({query})").fetchone()
    cursor = connection.execute(f"{query} ORDER BY ALL LIMIT {int(limit)}")
    names = [column[0] for column in cursor.description or []]
    rows = [{n: plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]
    return int(total[0]) if total else 0, rows


def plain(value: Any) -> Any:
    """A cell as JSON can carry it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
