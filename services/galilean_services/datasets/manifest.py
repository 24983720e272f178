"""Manifests of the files driver: a snapshot is the digest of its root tree. A tree is
one folder's sorted entries, stored as an object in the content-addressed store and named
by its SHA-256 (as git names trees), so a folder that did not change between two snapshots
is the same object and both manifests share it.

An entry is (name, kind, ref, size, extra):
  file  "f": ref = the content's digest, size in bytes, extra = permission bits;
  dir   "d": ref = the sub-tree's digest, size = bytes below it, extra = files below it;
  link  "l": ref = the link's (relative) target, size 0, extra 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from galilean_services.datasets.cas import ObjectStore
from galilean_services.datasets.model import Invalid

Entry = tuple[str, str, str, int, int]
FILE, DIR, LINK = "f", "d", "l"
DIGEST = re.compile(r"[0-9a-f]{64}")


def serialize(entries: list[Entry]) -> bytes:
    """Canonical bytes of a tree: entries sorted by name, compact JSON."""
    ordered = sorted(entries, key=lambda entry: entry[0])
    return json.dumps([list(entry) for entry in ordered], separators=(",", ":")).encode()


def check_name(name: str, where: str) -> None:
    if name in ("", ".", "..") or "/" in name or "\0" in name:
        raise Invalid(f"{where!r} is not a valid file name", item=where)


def _entry(raw: Any, where: str) -> Entry:
    if not (isinstance(raw, list) and len(raw) == 5):
        raise Invalid(f"a manifest entry in {where!r} is malformed", item=where)
    name, kind, ref, size, extra = raw
    if not (isinstance(name, str) and isinstance(ref, str)):
        raise Invalid(f"a manifest entry in {where!r} is malformed", item=where)
    check_name(name, f"{where}/{name}".lstrip("/"))
    if kind not in (FILE, DIR, LINK) or not (isinstance(size, int) and isinstance(extra, int)):
        raise Invalid(f"manifest entry {name!r} in {where!r} is malformed", item=name)
    if kind != LINK and not DIGEST.fullmatch(ref):
        raise Invalid(f"manifest entry {name!r} in {where!r} has a bad digest", item=name)
    return (name, kind, ref, size, extra)


@dataclass
class Trees:
    """Reads trees from the store, each once per instance."""

    store: ObjectStore
    _cache: dict[str, dict[str, Entry]] = field(default_factory=dict)

    def entries(self, digest: str, where: str = "") -> dict[str, Entry]:
        cached = self._cache.get(digest)
        if cached is None:
            try:
                raw = json.loads(self.store.read_bytes(digest))
            except (OSError, ValueError) as error:
                raise Invalid(f"the tree of {where or '/'!r} is unreadable", item=where) from error
            if not isinstance(raw, list):
                raise Invalid(f"the tree of {where or '/'!r} is malformed", item=where)
            cached = {entry[0]: entry for entry in (_entry(item, where) for item in raw)}
            self._cache[digest] = cached
        return cached

    def files(self, digest: str, prefix: str = "") -> Iterator[tuple[str, Entry]]:
        """Every file and link below a tree, as (relative path, entry)."""
        for name, entry in sorted(self.entries(digest, prefix).items()):
            path = f"{prefix}{name}"
            if entry[1] == DIR:
                yield from self.files(entry[2], f"{path}/")
            else:
                yield path, entry

    def check(self, digest: str) -> int:
        """Read every tree below `digest` and see every file's object is in the store
        (Invalid naming the first bad or missing item); the count of files and links."""
        count = 0
        for path, entry in self.files(digest):
            if entry[1] == FILE and not self.store.has(entry[2]):
                raise Invalid(f"the content of {path!r} is missing from the store", item=path)
            count += 1
        return count

    def reachable(self, roots: list[str]) -> set[str]:
        """Digests of every tree and file object the given roots name."""
        seen: set[str] = set()
        pending = [root for root in roots]
        while pending:
            digest = pending.pop()
            if digest in seen:
                continue
            seen.add(digest)
            for entry in self.entries(digest).values():
                if entry[1] == DIR:
                    pending.append(entry[2])
                elif entry[1] == FILE:
                    seen.add(entry[2])
        return seen


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "added": sorted(self.added),
            "removed": sorted(self.removed),
            "modified": sorted(self.modified, key=lambda change: str(change["path"])),
            "unchanged": self.unchanged,
        }


def diff(trees: Trees, older: str, newer: str) -> dict[str, Any]:
    """Files added, removed and modified from one root tree to another; a sub-tree with
    the same digest on both sides is counted unchanged without being read."""
    result = Diff()
    _diff_trees(trees, older, newer, "", result)
    return result.to_json()


def _diff_trees(trees: Trees, older: str, newer: str, prefix: str, result: Diff) -> None:
    before = trees.entries(older, prefix)
    after = trees.entries(newer, prefix)
    for name in before.keys() | after.keys():
        old, new = before.get(name), after.get(name)
        path = f"{prefix}{name}"
        if old == new and old is not None:
            result.unchanged += old[4] if old[1] == DIR else 1
        elif old is not None and new is not None and old[1] == new[1] == DIR:
            _diff_trees(trees, old[2], new[2], f"{path}/", result)
        elif old is not None and new is not None and old[1] != DIR and new[1] != DIR:
            result.modified.append({"path": path, "old_size": old[3], "new_size": new[3]})
        else:
            result.removed.extend(_paths(trees, old, path))
            result.added.extend(_paths(trees, new, path))


def _paths(trees: Trees, entry: Entry | None, path: str) -> list[str]:
    if entry is None:
        return []
    if entry[1] != DIR:
        return [path]
    return [inner for inner, _ in trees.files(entry[2], f"{path}/")]
