"""The result cache on disk, one folder per user, shared by every process of that user
(CLI runs, previews, service runs): a rerun in a new process after editing a node after
the last blocking node reuses the blocking node's result.

Keys are cache.py's (the content of the subgraph); each entry is `<key>.parquet` (the
rows) and `<key>.json` (the row counts behind it). Files are written to a temporary
name and renamed into place, so a reader never sees half an entry and two processes
writing the same key both leave a whole one. The folder is bounded in bytes: the least
recently used entries (by modification time, touched on every hit) are removed first,
and a file another process removed meanwhile is simply gone.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..folders import user_home
from .cache import ResultCache

DEFAULT_DISK_BYTES = 2 * 2**30
# A bigger result is not kept: writing it would cost a run more than a rerun saves (what
# follows a result that size is mostly writing it out again).
LARGEST_ENTRY = 128 * 2**20
MEMORY_BYTES = 256 * 2**20  # this process's own copy of recent entries, in front of the disk
ROWS, COUNTS = ".parquet", ".json"
STALE_PARTIAL_S = 3600  # a temporary file this old was left by a process that died


def default_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Where a user's flow results are kept: under the user's folder."""
    return folder_in(user_home(environ))


def folder_in(home: Path) -> Path:
    """The result cache in the user's folder `home` (a service run knows its owner's
    folder, not the account's home): the same folder the user's CLI and previews use."""
    return home / ".galilean" / "cache" / "flows"


def spill_root_in(home: Path) -> Path:
    """Where runs for the user of `home` spill what exceeds their memory budget: on the
    user's disk (a sandbox's /tmp is small and held in memory)."""
    return home / ".galilean" / "spill"


def run_spill_folder(home: Path, run_id: str) -> Path:
    """Where the service's run `run_id` for the user of `home` spills (removed after it,
    even when the run was killed)."""
    return spill_root_in(home) / f"run-{run_id}"


class DiskCache(ResultCache):
    """ResultCache's interface over a folder (an in-memory LRU in front of it)."""

    def __init__(
        self,
        folder: Path | None = None,
        max_bytes: int = DEFAULT_DISK_BYTES,
        memory_bytes: int | None = None,
    ) -> None:
        super().__init__(min(MEMORY_BYTES if memory_bytes is None else memory_bytes, max_bytes))
        self.folder = folder if folder is not None else default_folder()
        self.disk_bytes = max_bytes
        self.folder.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> pa.Table | None:
        table = super().get(key)
        path = self.folder / (key + ROWS)
        if not _touch(path):
            return None  # evicted by another process: this one's copy is stale too
        if table is None:
            try:
                table = pq.ParquetFile(path).read()  # (read_table imports datasets: 0.5 s)
            except (OSError, pa.ArrowInvalid):
                return None
            super().put(key, table)
        return table

    def put(self, key: str, table: pa.Table) -> None:
        if table.nbytes > min(LARGEST_ENTRY, self.disk_bytes // 4):
            return
        super().put(key, table)
        path = self.folder / (key + ROWS)
        if _touch(path):
            return  # already there (another process, or an earlier run)
        try:
            with _partial(self.folder, key) as partial:
                pq.write_table(table, partial, compression="lz4")
                os.replace(partial, path)
            self.evict()
        except (OSError, pa.ArrowException):  # a full disk, a folder gone, a type Parquet
            return  # lacks: kept in this process only

    def counts(self, key: str) -> dict[str, int] | None:
        found = super().counts(key)
        if found is not None:
            return found
        try:
            text = (self.folder / (key + COUNTS)).read_text()
            loaded = json.loads(text)
        except (OSError, ValueError):
            return None
        return {str(n): int(c) for n, c in loaded.items()} if isinstance(loaded, dict) else None

    def set_counts(self, key: str, counts: dict[str, int]) -> None:
        super().set_counts(key, counts)
        if not (self.folder / (key + ROWS)).exists():
            return
        try:
            with _partial(self.folder, key) as partial:
                partial.write_text(json.dumps(counts))
                os.replace(partial, self.folder / (key + COUNTS))
        except OSError:  # kept in this process only
            return

    def evict(self) -> None:
        """Remove least recently used entries until the folder is within its bound."""
        entries = []
        for partial in self.folder.glob(".*.tmp"):
            _remove_if_older(partial, time.time() - STALE_PARTIAL_S)
        for path in self.folder.glob("*" + ROWS):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # removed by another process meanwhile
            entries.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.disk_bytes:
                break
            path.unlink(missing_ok=True)
            path.with_suffix(COUNTS).unlink(missing_ok=True)
            total -= size


def _touch(path: Path) -> bool:
    """Mark an entry as just used; False when it is not there."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    except OSError:  # not ours to touch (its order in the bound is then a little off)
        return path.is_file()
    return True


def _remove_if_older(path: Path, limit: float) -> None:
    try:
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
    except FileNotFoundError:
        pass


class _partial:
    """A temporary file in `folder` (removed unless renamed into place)."""

    def __init__(self, folder: Path, key: str) -> None:
        handle, name = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=folder)
        os.close(handle)
        self.path = Path(name)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def result_cache(folder: Path | None = None, max_bytes: int = DEFAULT_DISK_BYTES) -> DiskCache:
    """The user's result cache (in `folder`, else under the user's folder)."""
    return DiskCache(folder, max_bytes)
