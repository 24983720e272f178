"""Version history of notebooks: snapshots kept beside the server's files, bounded in
number, age and size (issue 18). No web framework here: the hooks (history_hooks.py) and
the handlers (history_handlers.py) call it.

A notebook's snapshots live in `<root>/.galilean/history/<key>/` (hidden from the file
browser: the contents manager refuses dot-folders), one file per snapshot, `<id>.ipynb`,
the bytes of the file as it was, and `index.json`, what the history panel lists (id,
time, author, reason, size, cells). Both are written to a temporary file and renamed, so
a crash leaves the previous index or the new one, never half of one. A snapshot whose
bytes equal the newest one's is not added again."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from galilean_services.kit.errors import NotFound, ValidationError
from galilean_services.kit.files import write_atomically

FOLDER = ".galilean/history"
INDEX = "index.json"
SNAPSHOT_ID = re.compile(r"[0-9]{13}-[0-9a-f]{8}")
MAX_PATH = 1024


@dataclass(frozen=True)
class Limits:
    """How much history a notebook keeps; the oldest snapshots go first (the newest is
    always kept)."""

    max_snapshots: int = 50
    max_age_seconds: float = 30 * 86400.0
    max_bytes: int = 500 * 1024 * 1024  # of one notebook's snapshots together
    # Saves closer than this to the newest snapshot add none (jupyter-collaboration saves
    # about a second after every edit), unless a save removes much of the notebook.
    min_interval_seconds: float = 120.0


def checked_notebook_path(value: Any) -> str:
    """A notebook's path relative to the server's root: 400 naming `path` otherwise."""
    if not isinstance(value, str) or not value.strip("/"):
        raise ValidationError("path: give the notebook's path", [{"field": "path"}])
    path = value.strip("/")
    parts = PurePosixPath(path).parts
    if (
        len(path) > MAX_PATH
        or "\\" in path
        or "\x00" in path
        or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
    ):
        raise ValidationError(
            "path: a notebook's path inside your files, with no '..' or hidden folders",
            [{"field": "path"}],
        )
    if not path.endswith(".ipynb"):
        raise ValidationError(
            "path: version history is kept for notebooks (.ipynb files)", [{"field": "path"}]
        )
    return path


def checked_snapshot_id(value: str) -> str:
    if not SNAPSHOT_ID.fullmatch(value):
        raise ValidationError("id: not a snapshot's id", [{"field": "id"}])
    return value


def notebook_stats(content: Any) -> tuple[int, int]:
    """(cells, characters of source) of a notebook given as a dict; (0, 0) if it is not one."""
    cells = content.get("cells") if isinstance(content, dict) else None
    if not isinstance(cells, list):
        return 0, 0
    chars = 0
    for cell in cells:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        chars += len(source) if isinstance(source, str) else sum(len(s) for s in source)
    return len(cells), chars


def stats_of_bytes(data: bytes) -> tuple[int, int]:
    try:
        return notebook_stats(json.loads(data))
    except (ValueError, UnicodeDecodeError):
        return 0, 0


ENTRY_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "time": (int, float),
    "author": str,
    "reason": str,
    "bytes": int,
    "cells": int,
    "sha256": str,
}


def _well_formed(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and all(isinstance(entry.get(k), t) for k, t in ENTRY_TYPES.items())
        and SNAPSHOT_ID.fullmatch(entry["id"]) is not None
    )


class NotebookHistory:
    """The snapshots of the notebooks under `root` (the server's root)."""

    def __init__(
        self, root: Path, limits: Limits | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.root = root
        self.limits = limits or Limits()
        self.clock = clock

    def folder_of(self, path: str) -> Path:
        key = hashlib.sha256(path.encode()).hexdigest()[:32]
        return self.root / FOLDER / key

    def _index(self, path: str) -> dict[str, Any]:
        try:
            index = json.loads((self.folder_of(path) / INDEX).read_bytes())
        except (OSError, ValueError):
            return {"path": path, "snapshots": []}
        if not isinstance(index, dict) or not isinstance(index.get("snapshots"), list):
            return {"path": path, "snapshots": []}
        # Only well-formed entries (the ids name files to read and delete).
        index["snapshots"] = [s for s in index["snapshots"] if _well_formed(s)]
        return index

    def listing(self, path: str) -> list[dict[str, Any]]:
        """The notebook's snapshots, newest first."""
        return sorted(self._index(path)["snapshots"], key=lambda s: s["id"], reverse=True)

    def newest(self, path: str) -> dict[str, Any] | None:
        listed = self.listing(path)
        return listed[0] if listed else None

    def due(self, path: str) -> bool:
        """Whether a save now adds a snapshot (none within the minimum interval)."""
        newest = self.newest(path)
        return newest is None or self.clock() - newest["time"] >= self.limits.min_interval_seconds

    def add(
        self, path: str, data: bytes, *, reason: str, author: str, cells: int | None = None
    ) -> dict[str, Any] | None:
        """Keep `data` (the notebook's bytes, of `cells` cells when the caller knows) as a
        snapshot; None when the newest snapshot holds the same bytes."""
        digest = hashlib.sha256(data).hexdigest()
        index = self._index(path)
        snapshots: list[dict[str, Any]] = index["snapshots"]
        newest = max(snapshots, key=lambda s: s["id"]) if snapshots else None
        if newest is not None and newest.get("sha256") == digest:
            return None
        now = self.clock()
        millis = max(int(now * 1000), int(newest["id"][:13]) + 1 if newest else 0)
        entry = {
            "id": f"{millis:013d}-{digest[:8]}",
            "time": now,
            "author": author,
            "reason": reason,
            "bytes": len(data),
            "cells": stats_of_bytes(data)[0] if cells is None else cells,
            "sha256": digest,
        }
        folder = self.folder_of(path)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{entry['id']}.ipynb", data)
        snapshots.append(entry)
        kept, dropped = self._bounded(snapshots, now)
        write_atomically(
            folder / INDEX, json.dumps({"path": path, "snapshots": kept}, indent=1).encode()
        )
        for old in dropped:
            (folder / f"{old['id']}.ipynb").unlink(missing_ok=True)
        return entry

    def _bounded(
        self, snapshots: list[dict[str, Any]], now: float
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(kept, dropped): the oldest go first, by age, then number, then size."""
        ordered = sorted(snapshots, key=lambda s: s["id"])  # oldest first
        dropped: list[dict[str, Any]] = []
        limits = self.limits
        while len(ordered) > 1 and now - ordered[0]["time"] > limits.max_age_seconds:
            dropped.append(ordered.pop(0))
        while len(ordered) > max(limits.max_snapshots, 1):
            dropped.append(ordered.pop(0))
        while len(ordered) > 1 and sum(s["bytes"] for s in ordered) > limits.max_bytes:
            dropped.append(ordered.pop(0))
        return ordered, dropped

    def entry(self, path: str, snapshot_id: str) -> dict[str, Any]:
        checked_snapshot_id(snapshot_id)
        for snapshot in self._index(path)["snapshots"]:
            if snapshot["id"] == snapshot_id:
                return dict(snapshot)
        raise NotFound(f"id: {path} has no snapshot {snapshot_id}", [{"field": "id"}])

    def read(self, path: str, snapshot_id: str) -> bytes:
        """A snapshot's bytes; 404 naming `id` if the notebook has no such snapshot."""
        self.entry(path, snapshot_id)
        try:
            return (self.folder_of(path) / f"{snapshot_id}.ipynb").read_bytes()
        except OSError as exc:
            raise NotFound(
                f"id: the snapshot {snapshot_id} of {path} is gone", [{"field": "id"}]
            ) from exc
