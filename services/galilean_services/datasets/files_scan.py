"""Scanning a work folder into trees of the files driver. A stat cache remembers each
file's (size, mtime_ns, inode, ctime_ns) and digest, so the next scan hashes only files
whose stat changed. A file modified within RACY_NS of the scan is not trusted next time
(git's "racy" rule: a second write inside one timestamp tick keeps the same mtime).

Symbolic links are kept as links, never followed; one whose target is absolute or leaves
the work folder is refused naming it, as are sockets, pipes and devices."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from galilean_services.datasets.cas import ObjectStore
from galilean_services.datasets.manifest import DIR, FILE, LINK, Entry, serialize
from galilean_services.datasets.model import Invalid

RACY_NS = 100_000_000  # 0.1 s: coarser than any local file system's timestamp tick
TEMPORARY_PREFIX = ".galilean-restore-"
CACHE_VERSION = 1
CacheEntry = list[int | str]  # [size, mtime_ns, inode, ctime_ns, digest(, mode)]


def load_cache(path: Path) -> dict[str, CacheEntry]:
    """The stat cache, or an empty one when missing or unreadable (files are re-hashed)."""
    try:
        raw = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION:
        return {}
    entries = raw.get("entries")
    return entries if isinstance(entries, dict) else {}


def save_cache(path: Path, entries: dict[str, CacheEntry]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".statcache-")
    with os.fdopen(handle, "wb") as out:
        out.write(json.dumps({"version": CACHE_VERSION, "entries": entries}).encode())
    os.replace(temporary, path)


def cache_entry(
    stat: os.stat_result, digest: str, now_ns: int, mode: int | None = None
) -> CacheEntry | None:
    """The entry to remember for a file, or None when its stat is too recent to trust.
    `mode`: the permissions the manifest records when the file's own differ (a file
    hardlinked to its read-only object)."""
    if stat.st_mtime_ns >= now_ns - RACY_NS or stat.st_ctime_ns >= now_ns - RACY_NS:
        return None
    entry: CacheEntry = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns, digest]
    return entry if mode is None else [*entry, mode]


@dataclass
class Scan:
    root: str = ""
    files: int = 0
    bytes: int = 0
    hashed: list[str] = field(default_factory=list)  # files whose content was read
    cache: dict[str, CacheEntry] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)


class Scanner:
    def __init__(
        self,
        work: Path,
        store: ObjectStore,
        cache: dict[str, CacheEntry],
        now_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.work = work
        self.real_work = os.path.realpath(work)
        self.store = store
        self.old_cache = cache
        self.result = Scan()
        self.started_ns = now_ns()  # the file system's clock, for the racy rule

    def run(self) -> Scan:
        digest, size, files = self._folder(str(self.work), "")
        self.result.root, self.result.bytes, self.result.files = digest, size, files
        return self.result

    def _folder(self, absolute: str, prefix: str) -> tuple[str, int, int]:
        entries: list[Entry] = []
        total_bytes = total_files = 0
        with os.scandir(absolute) as listing:
            items = list(listing)
        for item in items:
            if item.name.startswith(TEMPORARY_PREFIX):
                self.result.stale.append(item.path)  # left by a crashed restore
                continue
            path = prefix + item.name
            entry = self._entry(item, path)
            entries.append(entry)
            if entry[1] == DIR:
                total_bytes += entry[3]
                total_files += entry[4]
            else:
                total_bytes += entry[3]
                total_files += 1
        return self.store.put_bytes(serialize(entries)), total_bytes, total_files

    def _entry(self, item: os.DirEntry[str], path: str) -> Entry:
        if item.is_symlink():
            return (item.name, LINK, self._link_target(item.path, path), 0, 0)
        if item.is_dir(follow_symlinks=False):
            digest, size, files = self._folder(item.path, path + "/")
            return (item.name, DIR, digest, size, files)
        if item.is_file(follow_symlinks=False):
            stat = item.stat(follow_symlinks=False)
            digest, mode = self._digest(item.path, path, stat)
            return (item.name, FILE, digest, stat.st_size, mode)
        raise Invalid(f"{path!r} is not a file, a folder or a link", item=path)

    def _digest(self, absolute: str, path: str, stat: os.stat_result) -> tuple[str, int]:
        """The file's digest and the permissions to record."""
        known = self.old_cache.get(path)
        if (
            known is not None
            and len(known) in (5, 6)
            and known[0] == stat.st_size
            and known[1] == stat.st_mtime_ns
            and known[2] == stat.st_ino
            and known[3] == stat.st_ctime_ns
        ):
            self.result.cache[path] = known
            return str(known[4]), int(known[5]) if len(known) == 6 else stat.st_mode & 0o777
        digest, _size = self.store.ingest(Path(absolute))
        self.result.hashed.append(path)
        remembered = cache_entry(stat, digest, self.started_ns)
        if remembered is not None:
            self.result.cache[path] = remembered
        return digest, stat.st_mode & 0o777

    def _link_target(self, absolute: str, path: str) -> str:
        target = os.readlink(absolute)
        if os.path.isabs(target):
            raise Invalid(f"link {path!r} points to an absolute path", item=path)
        resolved = os.path.realpath(os.path.join(os.path.dirname(absolute), target))
        if os.path.commonpath([resolved, self.real_work]) != self.real_work:
            raise Invalid(f"link {path!r} points outside the dataset's folder", item=path)
        return target
