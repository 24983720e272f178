"""How a write of the `tables` driver changes one table, inside the commit's transaction:
replace (rows replaced in place when the columns match, so row-level changes stay
visible; the table re-created when they differ), append (by column name) or upsert (a
MERGE on the key columns). The source is a pyarrow Table or a Parquet/CSV file inside
the allowed folder, registered on the connection before the transaction begins."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from galilean_services.datasets.model import Invalid, NotFound
from galilean_services.datasets.tables_lake import LAKE, USER_SCHEMA, columns_of, ident, quote

MODES = ("replace", "append", "upsert")
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
SOURCE = "galilean_write_source"
READERS = {".parquet": "read_parquet", ".csv": "read_csv_auto"}


@dataclass(frozen=True)
class Plan:
    table: str
    mode: str
    key: list[str] | None


def check_table_name(table: object) -> str:
    if not isinstance(table, str) or not TABLE_NAME.fullmatch(table):
        raise Invalid(
            f"table {table!r}: a letter or '_', then letters, digits or '_'", field="table"
        )
    return table


def plan(table: str, mode: str, key: list[str] | None) -> Plan:
    check_table_name(table)
    if mode not in MODES:
        raise Invalid(f"mode {mode!r}: use replace, append or upsert", field="mode")
    if key is not None:
        if not key or not all(isinstance(column, str) and column for column in key):
            raise Invalid("key: a list of column names", field="key")
        if len(set(key)) != len(key):
            raise Invalid("key: a column is named twice", field="key")
    if mode == "upsert" and key is None:
        raise Invalid("upsert needs key columns", field="key")
    return Plan(table, mode, None if key is None else list(key))


def register_source(connection: duckdb.DuckDBPyConnection, data: object, allowed_root: Path) -> str:
    if isinstance(data, pa.Table):
        if data.num_columns == 0:
            raise Invalid("data has no columns", field="data")
        connection.register(SOURCE, data)
        return SOURCE
    if not isinstance(data, str | Path):
        raise Invalid("data: a pyarrow Table or a path to a Parquet or CSV file", field="data")
    path = Path(data).resolve()
    if not path.is_relative_to(allowed_root):
        raise Invalid(f"{str(data)!r} is outside the allowed folder", field="data", item=str(data))
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise Invalid(f"{str(data)!r}: give a .parquet or .csv file", field="data", item=str(data))
    if not path.is_file():
        raise NotFound(f"{str(data)!r} does not exist", field="data", item=str(data))
    try:
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS SELECT * FROM {reader}({quote(str(path))})"
        )
        connection.execute(f"DESCRIBE {SOURCE}").fetchall()
    except duckdb.Error as error:
        raise Invalid(f"{str(data)!r} is unreadable: {error}", field="data") from error
    return SOURCE


def unregister_source(connection: duckdb.DuckDBPyConnection, source: str) -> None:
    connection.execute(f"DROP VIEW IF EXISTS {source}")
    with contextlib.suppress(duckdb.Error):
        connection.unregister(source)


def apply(
    connection: duckdb.DuckDBPyConnection, plan: Plan, source: str, key: list[str] | None
) -> None:
    target = f"{LAKE}.{USER_SCHEMA}.{ident(plan.table)}"
    incoming = [name for name, _ in _describe(connection, source)]
    existing = _existing_columns(connection, plan.table)
    present = None if existing is None else {name for name, _ in existing}
    for column in plan.key or []:
        if column not in incoming or (present is not None and column not in present):
            raise Invalid(f"key column {column!r} is not in the table", field="key", item=column)
    try:
        if existing is None:
            connection.execute(f"CREATE TABLE {target} AS SELECT * FROM {source}")
        elif plan.mode == "replace":
            _replace(connection, target, source, existing == _describe(connection, source))
        elif plan.mode == "append":
            connection.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {source}")
        else:
            _merge(connection, target, source, incoming, key or [])
    except duckdb.Error as error:
        if isinstance(error, duckdb.TransactionException):
            raise
        raise Invalid(
            f"the data does not fit table {plan.table!r}: {error}", field="data"
        ) from error


def _replace(
    connection: duckdb.DuckDBPyConnection, target: str, source: str, same_columns: bool
) -> None:
    if same_columns:
        connection.execute(f"DELETE FROM {target}")
        connection.execute(f"INSERT INTO {target} SELECT * FROM {source}")
    else:
        connection.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {source}")


def _merge(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    source: str,
    columns: list[str],
    key: list[str],
) -> None:
    on = " AND ".join(f"t.{ident(c)} = s.{ident(c)}" for c in key)
    rest = [c for c in columns if c not in key]
    update = ", ".join(f"{ident(c)} = s.{ident(c)}" for c in rest)
    names = ", ".join(ident(c) for c in columns)
    values = ", ".join(f"s.{ident(c)}" for c in columns)
    matched = f"WHEN MATCHED THEN UPDATE SET {update} " if rest else ""
    connection.execute(
        f"MERGE INTO {target} AS t USING {source} AS s ON {on} {matched}"
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"
    )


def restore_table(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    version: int,
    exists: bool,
    same_until: int | None,
) -> None:
    """Make `table` hold its rows of DuckLake snapshot `version` (in the open commit).
    `same_until`: the current DuckLake snapshot when the table kept its identity since
    `version`; then only the rows changed since are put back."""
    target = f"{LAKE}.{USER_SCHEMA}.{ident(table)}"
    then = f"{target} AT (VERSION => {int(version)})"
    same_columns = exists and _existing_columns(connection, table) == columns_of(
        connection, table, version
    )
    if same_columns and same_until is not None:
        _restore_changed_rows(connection, table, version, same_until)
    elif same_columns:
        # Insert first: a time-travel read in this transaction would skip rows it deleted
        # (same row ids). New rows get transaction-local ids above every committed one.
        last = connection.execute(f"SELECT max(rowid) FROM {target}").fetchone()
        connection.execute(f"INSERT INTO {target} SELECT * FROM {then}")
        if last is not None and last[0] is not None:
            connection.execute(f"DELETE FROM {target} WHERE rowid <= {int(last[0])}")
    else:
        connection.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {then}")


def _restore_changed_rows(
    connection: duckdb.DuckDBPyConnection, table: str, version: int, current: int
) -> None:
    """Row ids are stable in DuckLake: the rows `table_changes` names since `version` are
    the only ones that differ, so only they are deleted and put back as they were."""
    if current <= version:
        return
    changes = f"{LAKE}.table_changes({quote(table)}, {int(version) + 1}, {int(current)})"
    touched = [
        int(row[0])
        for row in connection.execute(f"SELECT DISTINCT rowid FROM {changes}").fetchall()
    ]
    if not touched:
        return
    target = f"{LAKE}.{USER_SCHEMA}.{ident(table)}"
    chosen = "rowid IN (SELECT unnest(?::BIGINT[]))"
    connection.execute(
        f"INSERT INTO {target} SELECT * FROM {target} AT (VERSION => {int(version)}) "
        f"WHERE {chosen}",
        [touched],
    )
    connection.execute(f"DELETE FROM {target} WHERE {chosen}", [touched])


def _describe(connection: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str]]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def _existing_columns(
    connection: duckdb.DuckDBPyConnection, table: str
) -> list[tuple[str, str]] | None:
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ?",
        [LAKE, USER_SCHEMA, table],
    ).fetchone()
    if not found or not found[0]:
        return None
    return columns_of(connection, table)
