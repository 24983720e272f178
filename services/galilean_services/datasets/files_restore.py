"""Making a work folder equal to a snapshot's tree, touching only what differs from the
tree the folder holds now (sub-trees with the same digest are skipped unread).

By default files are COPIED out of the store (copy_file_range: in-kernel, a reflink where
the file system shares extents). With `link=True` (a dataset that is read, not edited in
place) they are hardlinked to their read-only object instead, falling back to a copy
where the file system refuses (another device): about 5x faster to create, but the
user's file then IS the object — read-only (0o444, its recorded permissions kept in the
stat cache), and whoever can still write it in place (root, or anyone after a chmod)
would corrupt every snapshot that shares it. Editors and `open(…, "w")` after an unlink
replace the file and are safe. Each file is made under a temporary name in its folder
then renamed, so a crash never leaves half a file.
Creating files is the cost (~0.1 ms each on ext4), so the copies run on a few threads
(the system calls release the GIL), after the folders are made."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from galilean_services.datasets.cas import ObjectStore
from galilean_services.datasets.files_scan import TEMPORARY_PREFIX, CacheEntry, cache_entry
from galilean_services.datasets.manifest import DIR, FILE, LINK, Entry, Trees


@dataclass
class Restore:
    store: ObjectStore
    trees: Trees
    now_ns: Callable[[], int] = time.time_ns
    link: bool = False
    threads: int = 8
    written: dict[str, CacheEntry | None] = field(default_factory=dict)
    _copies: list[tuple[str, str, str, int]] = field(default_factory=list)

    def make_equal(self, folder: str, want: str, have: str | None) -> None:
        """Make `folder` hold tree `want`, knowing it holds tree `have` (None: empty):
        removals, folders and links first, then the file copies."""
        self._plan(folder, want, have, "")
        with ThreadPoolExecutor(self.threads) as pool:
            made = list(pool.map(self._copy, self._copies))
        now = self.now_ns()  # written before now - RACY_NS: trusted, as git does
        for (_folder, key, digest, mode), (stat, linked) in zip(self._copies, made, strict=True):
            self.written[key] = cache_entry(stat, digest, now, mode if linked else None)
        self._copies.clear()

    def _copy(self, job: tuple[str, str, str, int]) -> tuple[os.stat_result, bool]:
        """Make one file; (its stat, whether it is a hardlink to the object)."""
        folder, key, digest, mode = job
        path = os.path.join(folder, key.rsplit("/", 1)[-1])
        # A link to a new name appears whole at once; one replacing a file, renamed over it.
        linked = self.link and self._hardlink(digest, path)
        if not linked:
            temporary = os.path.join(folder, f"{TEMPORARY_PREFIX}{uuid.uuid4().hex}")
            linked = self.link and self._hardlink(digest, temporary)
            if not linked:
                self.store.copy_to(digest, temporary, mode)
            os.replace(temporary, path)
        return os.stat(path, follow_symlinks=False), linked

    def _hardlink(self, digest: str, name: str) -> bool:
        try:
            os.link(self.store.path_of(digest), name)
        except FileExistsError:
            return False
        except OSError:  # another device, no hardlinks here, too many links
            self.link = False  # copy from now on
            return False
        return True

    def _plan(self, folder: str, want: str, have: str | None, prefix: str) -> None:
        if want == have:
            return
        wanted = self.trees.entries(want, prefix)
        present = self.trees.entries(have, prefix) if have is not None else {}
        for name, entry in present.items():
            target = wanted.get(name)
            if target is None or _kind(target) != _kind(entry):
                _remove(os.path.join(folder, name), entry)
        for name, entry in sorted(wanted.items()):
            old = present.get(name)
            if old is not None and _kind(old) != _kind(entry):
                old = None
            self._put(folder, prefix, entry, old)

    def _put(self, folder: str, prefix: str, entry: Entry, old: Entry | None) -> None:
        name, kind, ref, _size, extra = entry
        path = os.path.join(folder, name)
        if kind == DIR:
            if old is None:
                os.mkdir(path)
            self._plan(path, ref, old[2] if old else None, f"{prefix}{name}/")
        elif kind == FILE:
            if old is not None and old[2] == ref and not (self.link and old[4] != extra):
                if old[4] != extra:
                    os.chmod(path, extra)
                    self.written[prefix + name] = None
                return
            self._copies.append((folder, prefix + name, ref, extra))
        elif kind == LINK and (old is None or old[2] != ref):
            temporary = os.path.join(folder, f"{TEMPORARY_PREFIX}{uuid.uuid4().hex}")
            os.symlink(ref, temporary)
            os.replace(temporary, path)

    def cache_after(self, want: str, before: dict[str, CacheEntry]) -> dict[str, CacheEntry]:
        """The stat cache for the restored folder: entries of files left as they were,
        new ones for the files written (unless written too recently to trust)."""
        cache: dict[str, CacheEntry] = {}
        for path, entry in self.trees.files(want):
            if entry[1] != FILE:
                continue
            if path in self.written:
                remembered = self.written[path]
                if remembered is not None:
                    cache[path] = remembered
            elif path in before and before[path][4] == entry[2]:
                cache[path] = before[path]
        return cache


def _kind(entry: Entry) -> str:
    return entry[1]


def _remove(path: str, entry: Entry) -> None:
    if entry[1] == DIR:
        shutil.rmtree(path)
    else:
        os.unlink(path)
