"""The two sides of a row-level diff of a table that kept its identity, read from DuckLake's
`ducklake_table_deletions` (pre-images) and `ducklake_table_insertions` (post-images)
rather than from `table_changes`, which pairs them into updates with two joins and reads
every data file twice. Row ids are stable: a row is inserted once (under a new row id), an
update deletes and re-inserts it under the same row id in the same snapshot, and it may be
deleted at last. So over a range of snapshots a row existed at the older end when its first
deletion comes before any insertion of it (then that deletion holds its old values), and
exists at the newer end when its last insertion comes after any deletion of it (then that
insertion holds its new values). Over a single snapshot a row id is deleted and inserted
at most once each: the deletions are the old side, the insertions the new one, as they
are."""

from __future__ import annotations

import duckdb

from galilean_services.datasets.tables_lake import LAKE, USER_SCHEMA, ident, quote

VIRTUAL = ("rowid", "snapshot_id")


def usable(common: list[str]) -> bool:
    """Whether the sides can come from here: some columns, none hiding a virtual one."""
    return bool(common) and not any(c.lower() in VIRTUAL for c in common)


def load_sides(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    first: int,
    last: int,
    common: list[str],
    sides: tuple[str, str],
) -> None:
    """Make temp tables `sides` (old, new) hold the rows changed by DuckLake snapshots
    `first`..`last` (inclusive) as they were before `first` and are after `last`."""
    old, new = sides
    names = ", ".join(ident(c) for c in common)
    arguments = f"{quote(LAKE)}, {quote(USER_SCHEMA)}, {quote(table)}, {int(first)}, {int(last)}"
    deletions = f"ducklake_table_deletions({arguments})"
    insertions = f"ducklake_table_insertions({arguments})"
    if first == last:
        connection.execute(f"CREATE TEMP TABLE {old} AS SELECT {names} FROM {deletions}")
        connection.execute(f"CREATE TEMP TABLE {new} AS SELECT {names} FROM {insertions}")
        return
    for side, source, other, order, before in (
        (old, deletions, insertions, "ASC", "<"),
        (new, insertions, deletions, "DESC", ">"),
    ):
        connection.execute(
            f"""CREATE TEMP TABLE {side} AS SELECT {names} FROM (
                    SELECT {names}, rowid AS galilean_row, snapshot_id AS galilean_at
                    FROM {source}
                    QUALIFY row_number() OVER (
                        PARTITION BY rowid ORDER BY snapshot_id {order}) = 1) AS s
                WHERE NOT EXISTS (
                    SELECT 1 FROM (
                        SELECT rowid AS galilean_row, snapshot_id AS galilean_at
                        FROM {other}) AS o
                    WHERE o.galilean_row = s.galilean_row
                      AND o.galilean_at {before} s.galilean_at)"""
        )
