"""The refs of a files dataset — its snapshots (each naming its root tree), tags and head
— in one small JSON file replaced atomically (temporary file, fsync, rename, fsync of the
folder), and the writer's lock (fcntl.flock on a lock file, released by the kernel when a
writer dies). A snapshot becomes visible only when the refs file naming it is renamed into
place, after its objects and trees are in the store."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from galilean_services.datasets.cas import fsync_path
from galilean_services.datasets.model import Conflict, Invalid, NotFound, Snapshot

REFS_VERSION = 1


@dataclass
class Refs:
    next_number: int = 1
    head: int | None = None
    records: dict[int, dict[str, Any]] = field(default_factory=dict)

    def record(self, number: int) -> dict[str, Any]:
        found = self.records.get(number)
        if found is None:
            raise NotFound(f"snapshot {number} does not exist", field="number", item=str(number))
        return found

    def root_of(self, number: int) -> str:
        return str(self.record(number)["root"])

    def add(self, record: dict[str, Any]) -> Snapshot:
        number = self.next_number
        record = {**record, "number": number, "parent": self.head, "tags": []}
        self.records[number] = record
        self.next_number = number + 1
        self.head = number
        return to_snapshot(record)

    def tagged(self, tag: str) -> int | None:
        for number, record in self.records.items():
            if tag in record["tags"]:
                return number
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REFS_VERSION,
            "next": self.next_number,
            "head": self.head,
            "snapshots": [self.records[number] for number in sorted(self.records)],
        }


def to_snapshot(record: dict[str, Any]) -> Snapshot:
    return Snapshot(
        number=record["number"],
        created_at=datetime.fromisoformat(record["created_at"]),
        author=record["author"],
        message=record["message"],
        origin=dict(record["origin"]),
        tags=tuple(record["tags"]),
        parent=record["parent"],
        stats=dict(record["stats"]),
    )


def load_refs(path: Path) -> Refs:
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        return Refs()
    except (OSError, ValueError) as error:
        raise Invalid(
            f"the dataset's refs file {path.name!r} is unreadable", item=path.name
        ) from error
    if not isinstance(raw, dict) or raw.get("version") != REFS_VERSION:
        raise Invalid(
            f"the dataset's refs file {path.name!r} has an unknown format", item=path.name
        )
    records = {int(record["number"]): record for record in raw["snapshots"]}
    return Refs(next_number=int(raw["next"]), head=raw["head"], records=records)


def save_refs(path: Path, refs: Refs) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".refs-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(json.dumps(refs.to_json(), indent=1).encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    fsync_path(path.parent)


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold the dataset's writer lock, or raise Conflict at once if another writer
    (another process, or another FilesDataset in this one) holds it."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise Conflict(
                "another writer is changing this dataset; try again when it is done",
                field="dataset",
            ) from error
        yield
    finally:
        os.close(handle)


def remove_stale_refs_temporaries(folder: Path) -> None:
    """Temporary refs files a crashed writer left (never read: only the rename counts)."""
    for name in os.listdir(folder):
        if name.startswith((".refs-", ".statcache-")):
            os.unlink(folder / name)
