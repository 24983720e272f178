"""The `tables` driver: a dataset is a DuckLake lake holding named tables. Every write is
one DuckLake commit and one Snapshot; the snapshot's record (number, parent, origin,
message, author) is a row of a small table in the lake itself (schema `galilean`), written
in the same commit, so a snapshot and its data become visible together or not at all. The
commit also carries DuckLake's own author/message and `{"number": N}` as its extra info,
which maps a snapshot number to the DuckLake snapshot to time-travel to.

Two writers at once: each commit rewrites the one-row `galilean.head` table, so DuckLake
(or SQLite's single writer) refuses the later one; that is reported as Conflict.
`snapshot()` makes a marker: a new snapshot equal to its parent, carrying a message and
origin (a flow run that changed nothing still leaves its mark). One connection per
instance: not for use from several threads at once."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from galilean_services.datasets import tables_diff, tables_retention, tables_write
from galilean_services.datasets.model import (
    Conflict,
    GcReport,
    Invalid,
    NotFound,
    RetentionReport,
    Snapshot,
)
from galilean_services.datasets.tables_lake import (
    LAKE,
    OWN_SCHEMA,
    USER_SCHEMA,
    columns_of,
    ident,
    metadata_prefix,
    open_lake,
    tables_at,
)

OWN = f"{LAKE}.{OWN_SCHEMA}"
TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
CONFLICT_MARKERS = ("database is locked", "conflict", "could not serialize", "busy")
SETUP = (
    f"CREATE TABLE IF NOT EXISTS {OWN}.snapshots (number BIGINT, parent BIGINT, "
    "created_at TIMESTAMPTZ, author VARCHAR, message VARCHAR, origin VARCHAR, stats VARCHAR)",
    f"CREATE TABLE IF NOT EXISTS {OWN}.tags (tag VARCHAR, number BIGINT)",
    f"CREATE TABLE IF NOT EXISTS {OWN}.keys (table_name VARCHAR, columns VARCHAR)",
    f"CREATE TABLE IF NOT EXISTS {OWN}.head (number BIGINT)",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


class TablesDataset:
    def __init__(
        self,
        store: Path,
        catalog: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        allowed_root: Path | None = None,
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """`allowed_root`: the only folder a write may read a file from (the user's);
        `before_commit`: called with the data written and the commit not yet made (a
        seam for crash tests)."""
        self.store = store
        self.clock = clock
        self.allowed_root = (allowed_root or store).resolve()
        self.before_commit = before_commit
        self.connection = open_lake(store, catalog)
        self.meta = metadata_prefix(store, catalog)
        self._setup()

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> TablesDataset:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _setup(self) -> None:
        with self._transaction():
            for statement in SETUP:
                self.connection.execute(statement)

    # -- writing ---------------------------------------------------------------------

    def write(
        self,
        table: str,
        data: pa.Table | Path | str,
        mode: str = "replace",
        *,
        key: list[str] | None = None,
        message: str = "",
        author: str,
        origin: Mapping[str, str] | None = None,
    ) -> Snapshot:
        """Replace, append to or upsert (by `key`) one table: one new snapshot."""
        plan = tables_write.plan(table, mode, key)
        source = tables_write.register_source(self.connection, data, self.allowed_root)
        try:
            with self._commit(message or f"{mode} {table}", author, origin) as commit:
                declared = self._key_of(table) if plan.key is None else plan.key
                tables_write.apply(self.connection, plan, source, declared)
                self._declare_key(table, plan.key or declared)
                commit.update(self._row_counts())
        finally:
            tables_write.unregister_source(self.connection, source)
        return self.head_or_fail()

    def snapshot(
        self, message: str, author: str, origin: Mapping[str, str] | None = None
    ) -> Snapshot:
        """A marker: a new snapshot with the same data as the head."""
        with self._commit(message, author, origin) as commit:
            commit.update(self._row_counts())
        return self.head_or_fail()

    def restore(self, number: int, author: str) -> Snapshot:
        """Make snapshot `number`'s tables the new head; the old head stays a snapshot."""
        version = self.lake_version(number)
        then = tables_at(self.connection, version, self.meta)
        with self._commit(
            f"restore snapshot {number}", author, {"restored": str(number)}
        ) as commit:
            now = self._current_tables()
            current = self._current_lake_version()
            kept_identity = tables_at(self.connection, current, self.meta)
            for name in now - then.keys():
                self.connection.execute(f"DROP TABLE {self._qualified(name)}")
            for name, table_id in then.items():
                same = current if kept_identity.get(name) == table_id else None
                tables_write.restore_table(self.connection, name, version, name in now, same)
            self._restore_keys(version)
            commit.update(self._row_counts())
        return self.head_or_fail()

    def tag(self, number: int, tag: str) -> Snapshot:
        if not TAG.fullmatch(tag):
            raise Invalid(f"tag {tag!r}: letters, digits, '.', '_' or '-'", field="tag")
        self.get(number)
        with self._transaction():
            taken = self.connection.execute(
                f"SELECT number FROM {OWN}.tags WHERE tag = ?", [tag]
            ).fetchone()
            if taken is not None and int(taken[0]) != number:
                raise Conflict(f"tag {tag!r} already names snapshot {taken[0]}", field="tag")
            if taken is None:
                self.connection.execute(f"INSERT INTO {OWN}.tags VALUES (?, ?)", [tag, number])
        return self.get(number)

    # -- reading ---------------------------------------------------------------------

    def snapshots(self) -> list[Snapshot]:
        tags: dict[int, list[str]] = {}
        for tag, number in self.connection.execute(
            f"SELECT tag, number FROM {OWN}.tags ORDER BY tag"
        ).fetchall():
            tags.setdefault(int(number), []).append(str(tag))
        rows = self.connection.execute(
            f"SELECT number, created_at, author, message, origin, parent, stats "
            f"FROM {OWN}.snapshots ORDER BY number"
        ).fetchall()
        return [_snapshot(row, tuple(tags.get(int(row[0]), ()))) for row in rows]

    def head(self) -> Snapshot | None:
        row = self.connection.execute(f"SELECT max(number) FROM {OWN}.head").fetchone()
        return None if row is None or row[0] is None else self.get(int(row[0]))

    def head_or_fail(self) -> Snapshot:
        head = self.head()
        if head is None:
            raise NotFound("the dataset has no snapshot yet", field="number")
        return head

    def get(self, number: int) -> Snapshot:
        row = self.connection.execute(
            f"SELECT number, created_at, author, message, origin, parent, stats "
            f"FROM {OWN}.snapshots WHERE number = ?",
            [number],
        ).fetchone()
        if row is not None:
            tags = self.connection.execute(
                f"SELECT tag FROM {OWN}.tags WHERE number = ? ORDER BY tag", [number]
            ).fetchall()
            return _snapshot(row, tuple(str(tag[0]) for tag in tags))
        raise NotFound(f"snapshot {number} does not exist", field="number", item=str(number))

    def tables(self, number: int | None = None) -> list[str]:
        if number is None:
            return sorted(self._current_tables())
        return sorted(tables_at(self.connection, self.lake_version(number), self.meta))

    def lake_version(self, number: int) -> int:
        """The DuckLake snapshot id of one of our snapshots."""
        row = self.connection.execute(
            f"SELECT snapshot_id FROM {LAKE}.snapshots() WHERE commit_extra_info = ?",
            [_extra_info(number)],
        ).fetchone()
        if row is None or not self._has_snapshot(number):
            raise NotFound(f"snapshot {number} does not exist", field="number", item=str(number))
        return int(row[0])

    def scan_sql(self, table: str, number: int | None = None) -> str:
        """A FROM clause reading `table` as of snapshot `number` (the head when None), for
        queries on `self.connection`."""
        snapshot = self.head_or_fail() if number is None else self.get(number)
        version = self.lake_version(snapshot.number)
        if table not in tables_at(self.connection, version, self.meta):
            raise NotFound(
                f"table {table!r} is not in snapshot {snapshot.number}", field="table", item=table
            )
        return f"{self._qualified(table)} AT (VERSION => {version})"

    def read(self, table: str, number: int | None = None) -> pa.Table:
        return self.connection.execute(
            f"SELECT * FROM {self.scan_sql(table, number)}"
        ).fetch_arrow_table()

    def diff(
        self, older: int, newer: int, *, limit: int = 100, stats: bool = True
    ) -> Mapping[str, Any]:
        """Per table: rows added, removed and changed (with the changed cells; counts
        exact, rows listed up to `limit`), and per-column statistics side by side (a
        scan of both versions: `stats=False` skips them)."""
        return tables_diff.diff(
            self.connection,
            (older, self.lake_version(older)),
            (newer, self.lake_version(newer)),
            self._keys_at,
            limit,
            self.meta,
            stats,
        )

    # -- retention and garbage collection --------------------------------------------

    def retain(
        self, *, keep_last: int | None, older_than: timedelta | None, now: datetime
    ) -> RetentionReport:
        """Forget snapshots that are neither the head, tagged, among the last `keep_last`
        nor newer than `older_than`; expire the DuckLake snapshots nobody keeps."""
        every = self.snapshots()
        kept = tables_retention.kept_numbers(every, keep_last, older_than, now)
        removed = tuple(s.number for s in every if s.number not in kept)
        if removed:
            with self._transaction():
                self.connection.execute(
                    f"DELETE FROM {OWN}.snapshots WHERE number IN ({_numbers(removed)})"
                )
        tables_retention.expire_lake_versions(self.connection, kept)
        return RetentionReport(removed=removed, kept=tuple(sorted(kept)))

    def gc(self) -> GcReport:
        """Delete data files no kept snapshot reads, and files a crashed writer left."""
        return tables_retention.collect_garbage(self.connection)

    # -- internals -------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        try:
            self.connection.execute("COMMIT")
        except duckdb.Error as error:
            _rollback_quietly(self.connection)
            if any(marker in str(error).lower() for marker in CONFLICT_MARKERS):
                raise Conflict(
                    "another writer changed the dataset at the same time: try again",
                    field="head",
                ) from error
            raise

    @contextmanager
    def _commit(
        self, message: str, author: str, origin: Mapping[str, str] | None
    ) -> Iterator[dict[str, int]]:
        if not author:
            raise Invalid("a snapshot needs an author", field="author")
        stats: dict[str, int] = {}
        with self._transaction():
            row = self.connection.execute(f"SELECT max(number) FROM {OWN}.head").fetchone()
            parent = None if row is None or row[0] is None else int(row[0])
            number = (parent or 0) + 1
            yield stats
            self._record(number, parent, message, author, dict(origin or {}), stats)
            if self.before_commit is not None:
                self.before_commit()

    def _record(
        self,
        number: int,
        parent: int | None,
        message: str,
        author: str,
        origin: dict[str, str],
        stats: dict[str, int],
    ) -> None:
        execute = self.connection.execute
        execute(
            f"INSERT INTO {OWN}.snapshots VALUES (?, ?, ?, ?, ?, ?, ?)",
            [number, parent, self.clock(), author, message, json.dumps(origin), json.dumps(stats)],
        )
        execute(f"DELETE FROM {OWN}.head")
        execute(f"INSERT INTO {OWN}.head VALUES (?)", [number])
        execute(
            f"CALL {LAKE}.set_commit_message(?, ?, extra_info => ?)",
            [author, message, _extra_info(number)],
        )

    def _row_counts(self) -> dict[str, int]:
        names = sorted(self._current_tables())
        rows = 0
        for name in names:
            counted = self.connection.execute(
                f"SELECT count(*) FROM {self._qualified(name)}"
            ).fetchone()
            rows += int(counted[0]) if counted else 0
        return {"tables": len(names), "rows": rows}

    def _current_lake_version(self) -> int:
        row = self.connection.execute(f"SELECT id FROM {LAKE}.current_snapshot()").fetchone()
        if row is None:
            raise NotFound("the lake has no snapshot", field="number")
        return int(row[0])

    def _current_tables(self) -> set[str]:
        rows = self.connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?",
            [LAKE, USER_SCHEMA],
        ).fetchall()
        return {str(row[0]) for row in rows}

    def _qualified(self, table: str) -> str:
        return f"{LAKE}.{USER_SCHEMA}.{ident(table)}"

    def _has_snapshot(self, number: int) -> bool:
        row = self.connection.execute(
            f"SELECT count(*) FROM {OWN}.snapshots WHERE number = ?", [number]
        ).fetchone()
        return bool(row and row[0])

    def _key_of(self, table: str) -> list[str] | None:
        row = self.connection.execute(
            f"SELECT columns FROM {OWN}.keys WHERE table_name = ?", [table]
        ).fetchone()
        return None if row is None else [str(column) for column in json.loads(row[0])]

    def _keys_at(self, version: int) -> dict[str, list[str]]:
        rows = self.connection.execute(
            f"SELECT table_name, columns FROM {OWN}.keys AT (VERSION => {int(version)})"
        ).fetchall()
        return {str(name): [str(c) for c in json.loads(columns)] for name, columns in rows}

    def _declare_key(self, table: str, key: list[str] | None) -> None:
        """Remember a table's key; forget it when a replace dropped one of its columns."""
        columns = {name for name, _ in columns_of(self.connection, table)}
        wanted = key if key is not None and set(key) <= columns else None
        if self._key_of(table) == wanted:
            return
        self.connection.execute(f"DELETE FROM {OWN}.keys WHERE table_name = ?", [table])
        if wanted is not None:
            self.connection.execute(
                f"INSERT INTO {OWN}.keys VALUES (?, ?)", [table, json.dumps(wanted)]
            )

    def _restore_keys(self, version: int) -> None:
        self.connection.execute(f"DELETE FROM {OWN}.keys")
        for table, key in self._keys_at(version).items():
            self.connection.execute(
                f"INSERT INTO {OWN}.keys VALUES (?, ?)", [table, json.dumps(key)]
            )


def _snapshot(row: tuple[Any, ...], tags: tuple[str, ...]) -> Snapshot:
    number, created_at, author, message, origin, parent, stats = row
    return Snapshot(
        number=int(number),
        created_at=created_at,
        author=str(author),
        message=str(message),
        origin=json.loads(origin),
        tags=tags,
        parent=None if parent is None else int(parent),
        stats=json.loads(stats),
    )


def _extra_info(number: int) -> str:
    return json.dumps({"number": number})


def _numbers(values: tuple[int, ...] | list[int]) -> str:
    return ", ".join(str(int(value)) for value in values)


def _rollback_quietly(connection: duckdb.DuckDBPyConnection) -> None:
    with suppress(duckdb.Error):
        connection.execute("ROLLBACK")
