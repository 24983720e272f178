"""Retention and garbage collection of the `tables` driver: which snapshots to keep,
expiring the DuckLake snapshots no kept one needs, and deleting the data files no
snapshot reads any more (and those a crashed writer left)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from galilean_services.datasets.model import GcReport, Invalid, Snapshot
from galilean_services.datasets.tables_lake import LAKE, quote


def kept_numbers(
    every: Sequence[Snapshot], keep_last: int | None, older_than: timedelta | None, now: datetime
) -> set[int]:
    """The head, tagged snapshots, the last `keep_last` and those newer than `older_than`."""
    if keep_last is None and older_than is None:
        raise Invalid("give keep_last or older_than", field="keep_last")
    if keep_last is not None and keep_last < 1:
        raise Invalid("keep_last must be at least 1", field="keep_last")
    recent = {s.number for s in every[-keep_last:]} if keep_last else set()
    young = {s.number for s in every if older_than and s.created_at > now - older_than}
    head = {every[-1].number} if every else set()
    return {s.number for s in every if s.tags or s.number in recent | young | head}


def expire_lake_versions(connection: duckdb.DuckDBPyConnection, kept: set[int]) -> None:
    """Expire every DuckLake snapshot but the newest and those of kept snapshots."""
    rows = connection.execute(
        f"SELECT snapshot_id, commit_extra_info FROM {LAKE}.snapshots() ORDER BY snapshot_id"
    ).fetchall()
    keep = {int(rows[-1][0])} if rows else set()
    keep |= {int(sid) for sid, info in rows if info and number_of(str(info)) in kept}
    expire = [int(sid) for sid, _ in rows if int(sid) not in keep]
    if expire:
        listed = ", ".join(str(sid) for sid in expire)
        connection.execute(f"CALL ducklake_expire_snapshots({quote(LAKE)}, versions => [{listed}])")


def collect_garbage(connection: duckdb.DuckDBPyConnection) -> GcReport:
    removed = freed = 0
    for function in ("ducklake_cleanup_old_files", "ducklake_delete_orphaned_files"):
        call = f"CALL {function}({quote(LAKE)}, cleanup_all => true, dry_run => true)"
        listed = [str(row[0]) for row in connection.execute(call).fetchall()]
        freed += sum(_size(path) for path in listed)
        connection.execute(call.replace("dry_run => true", "dry_run => false"))
        removed += len(listed)
    return GcReport(objects_removed=removed, bytes_freed=freed)


def number_of(info: str) -> int | None:
    """Our snapshot number from a DuckLake commit's extra info, if it is one of ours."""
    try:
        value = json.loads(info).get("number")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0
