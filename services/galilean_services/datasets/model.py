"""The one snapshot vocabulary both drivers speak: a snapshot's record, the errors a
caller maps to HTTP (invalid → 400 naming the field or item, missing → 404, conflict →
409), and the protocol a driver implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol


@dataclass(frozen=True)
class Snapshot:
    """One snapshot of a dataset. `number` counts from 1 per dataset and never repeats;
    `origin` says what made it ({"flow": name, "version": "3", "run": id} or
    {"notebook": path} or {"restored": "4"}); `parent` is the head it was made on."""

    number: int
    created_at: datetime
    author: str
    message: str
    origin: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    parent: int | None = None
    # Driver facts for listing: files and bytes (files), rows (tables).
    stats: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "created_at": self.created_at.isoformat(),
            "author": self.author,
            "message": self.message,
            "origin": dict(self.origin),
            "tags": list(self.tags),
            "parent": self.parent,
            "stats": dict(self.stats),
        }


class DatasetError(Exception):
    """A caller's mistake or a state that forbids the operation; `field` names the input
    at fault (a body field, a path, a snapshot number), `item` the file or row."""

    def __init__(self, message: str, *, field: str | None = None, item: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.item = item


class Invalid(DatasetError):
    """Bad input: a service answers 400 naming `field` (or `item`)."""


class NotFound(DatasetError):
    """An unknown dataset, snapshot, tag or item: 404."""


class Conflict(DatasetError):
    """Another writer changed the head first, or a name is taken: 409."""


@dataclass(frozen=True)
class RetentionReport:
    removed: tuple[int, ...]
    kept: tuple[int, ...]


@dataclass(frozen=True)
class GcReport:
    objects_removed: int
    bytes_freed: int


class SnapshotStore(Protocol):
    """What every driver offers. Writers are atomic: a crash leaves the previous head
    and no half-visible snapshot; two writers at once → one wins, the other Conflict."""

    def snapshot(
        self, message: str, author: str, origin: Mapping[str, str] | None = None
    ) -> Snapshot: ...

    def snapshots(self) -> list[Snapshot]: ...

    def head(self) -> Snapshot | None: ...

    def get(self, number: int) -> Snapshot: ...

    def diff(self, older: int, newer: int) -> Mapping[str, Any]: ...

    def restore(self, number: int, author: str) -> Snapshot: ...

    def tag(self, number: int, tag: str) -> Snapshot: ...

    def retain(
        self, *, keep_last: int | None, older_than: timedelta | None, now: datetime
    ) -> RetentionReport: ...

    def gc(self) -> GcReport: ...
