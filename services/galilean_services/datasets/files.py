"""The `files` driver: snapshots of a work folder (images, labels, any files) in a
content-addressed store. Layout of the store folder:

  objects/ab/cdef…   file contents and folder trees, by SHA-256, read-only
  refs.json          snapshots, tags and head (replaced atomically)
  statcache.json     (size, mtime_ns, inode, ctime_ns) → digest of the work folder's files
  lock               the writers' flock
  tmp/               objects being written

Order of a write: objects and trees, a syncfs of the store, then the refs file renamed
into place — a crash at any point leaves the previous head and no half-visible snapshot.
Writers hold the lock for the whole operation; a second writer gets Conflict at once."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from galilean_services.datasets.cas import Hasher, ObjectStore, sha256
from galilean_services.datasets.files_refs import (
    Refs,
    load_refs,
    remove_stale_refs_temporaries,
    save_refs,
    to_snapshot,
    writer_lock,
)
from galilean_services.datasets.files_restore import Restore
from galilean_services.datasets.files_scan import Scan, Scanner, load_cache, save_cache
from galilean_services.datasets.manifest import FILE, Trees, diff
from galilean_services.datasets.model import (
    Conflict,
    GcReport,
    Invalid,
    NotFound,
    RetentionReport,
    Snapshot,
)

TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
TEXT_LIMIT = 2000


def utc_now() -> datetime:
    return datetime.now(UTC)


class FilesDataset:
    def __init__(
        self,
        work: Path,
        store: Path,
        clock: Callable[[], datetime] = utc_now,
        hasher: Hasher = sha256,
        file_clock_ns: Callable[[], int] = time.time_ns,
        restore_by: str = "copy",
    ) -> None:
        """`restore_by`: "copy" (the user may edit restored files in place) or "hardlink"
        (faster; restored files are the read-only objects: see files_restore)."""
        if not work.is_dir():
            raise Invalid(f"the dataset's folder {str(work)!r} is not a folder", field="work")
        self.work = work.resolve()
        store = store.resolve()
        if store == self.work or self.work in store.parents:
            raise Invalid("the store may not be inside the dataset's folder", field="store")
        if restore_by not in ("copy", "hardlink"):
            raise Invalid('restore_by must be "copy" or "hardlink"', field="restore_by")
        self.restore_by = restore_by
        self.store_root = store
        self.objects = ObjectStore(store, hasher)
        self.clock = clock
        self.file_clock_ns = file_clock_ns  # the file system's time, for the stat cache
        self.refs_path = store / "refs.json"
        self.cache_path = store / "statcache.json"
        self.lock_path = store / "lock"
        self.last_scan: Scan | None = None  # what the last write read: files hashed…
        self._cache_on_disk: dict[str, Any] = {}

    # Reading -----------------------------------------------------------------------

    def snapshots(self) -> list[Snapshot]:
        refs = load_refs(self.refs_path)
        return [to_snapshot(refs.records[number]) for number in sorted(refs.records)]

    def head(self) -> Snapshot | None:
        refs = load_refs(self.refs_path)
        return None if refs.head is None else to_snapshot(refs.record(refs.head))

    def get(self, number: int) -> Snapshot:
        return to_snapshot(load_refs(self.refs_path).record(_number(number, "number")))

    def diff(self, older: int, newer: int) -> Mapping[str, Any]:
        refs = load_refs(self.refs_path)
        before = refs.root_of(_number(older, "older"))
        after = refs.root_of(_number(newer, "newer"))
        return diff(Trees(self.objects), before, after)

    # Writing -----------------------------------------------------------------------

    def snapshot(
        self,
        message: str,
        author: str,
        origin: Mapping[str, str] | None = None,
        *,
        expected_head: int | None = None,
    ) -> Snapshot:
        """`expected_head`: the head the caller saw (0 for none); Conflict if it moved."""
        record = self._new_record(message, author, origin)
        with writer_lock(self.lock_path):
            refs = _expect(load_refs(self.refs_path), expected_head)
            scan = self._scan()
            made = refs.add({**record, **self._content(scan)})
            self._commit(refs, scan.cache)
            return made

    def snapshot_if_changed(
        self, message: str, author: str, origin: Mapping[str, str] | None = None
    ) -> Snapshot | None:
        """A snapshot of the folder when it differs from the head (or there is none),
        else None: what an editor keeps before it changes the folder."""
        record = self._new_record(message, author, origin)
        with writer_lock(self.lock_path):
            refs = load_refs(self.refs_path)
            scan = self._scan()
            if refs.head is not None and scan.root == refs.root_of(refs.head):
                if scan.cache != self._cache_on_disk:  # it learnt the files' hashes
                    save_cache(self.cache_path, scan.cache)
                    self._cache_on_disk = scan.cache
                return None
            made = refs.add({**record, **self._content(scan)})
            self._commit(refs, scan.cache)
            return made

    def restore(self, number: int, author: str, *, expected_head: int | None = None) -> Snapshot:
        number = _number(number, "number")
        record = self._new_record(f"Restore snapshot {number}", author, {"restored": str(number)})
        with writer_lock(self.lock_path):
            refs = _expect(load_refs(self.refs_path), expected_head)
            target = refs.record(number)
            scan = self._scan()
            head_root = None if refs.head is None else refs.root_of(refs.head)
            trees = Trees(self.objects)
            trees.check(target["root"])  # before touching the folder
            if scan.root != head_root:  # keep what was not snapshotted: nothing is lost
                before = self._new_record(f"Work before restoring snapshot {number}", author)
                refs.add({**before, **self._content(scan)})
                self._commit(refs, scan.cache)
            restore = Restore(
                self.objects, trees, self.file_clock_ns, link=self.restore_by == "hardlink"
            )
            restore.make_equal(str(self.work), target["root"], scan.root)
            made = refs.add({**record, "root": target["root"], "stats": target["stats"]})
            self._commit(refs, restore.cache_after(target["root"], scan.cache))
            return made

    def tag(self, number: int, tag: str) -> Snapshot:
        number = _number(number, "number")
        if not isinstance(tag, str) or not TAG.fullmatch(tag):
            raise Invalid(
                "a tag is 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                "letter or digit",
                field="tag",
            )
        with writer_lock(self.lock_path):
            refs = load_refs(self.refs_path)
            record = refs.record(number)
            holder = refs.tagged(tag)
            if holder is not None and holder != number:
                raise Conflict(f"tag {tag!r} is already on snapshot {holder}", field="tag")
            if holder is None:
                record["tags"] = [*record["tags"], tag]
                save_refs(self.refs_path, refs)
            return to_snapshot(record)

    def retain(
        self, *, keep_last: int | None, older_than: timedelta | None, now: datetime
    ) -> RetentionReport:
        _check_retention(keep_last, older_than, now)
        with writer_lock(self.lock_path):
            refs = load_refs(self.refs_path)
            kept = _kept(refs, keep_last, older_than, now)
            removed = tuple(number for number in sorted(refs.records) if number not in kept)
            for number in removed:
                del refs.records[number]
            if removed:
                save_refs(self.refs_path, refs)
            return RetentionReport(removed=removed, kept=tuple(sorted(kept)))

    def gc(self) -> GcReport:
        with writer_lock(self.lock_path):
            refs = load_refs(self.refs_path)
            reachable = Trees(self.objects).reachable(
                [str(record["root"]) for record in refs.records.values()]
            )
            count = freed = 0
            for digest, path in list(self.objects.iter_objects()):
                if digest not in reachable:
                    freed += self.objects.remove(path)
                    count += 1
            # The stat cache names only the head's files, and the head is always kept.
            self.objects.sweep_temporary()
            remove_stale_refs_temporaries(self.store_root)
            return GcReport(objects_removed=count, bytes_freed=freed)

    # Steps -------------------------------------------------------------------------

    def _scan(self) -> Scan:
        self._cache_on_disk = load_cache(self.cache_path)
        scan = Scanner(self.work, self.objects, self._cache_on_disk, self.file_clock_ns).run()
        for path in scan.stale:
            os.unlink(path)
        self.last_scan = scan
        return scan

    def _content(self, scan: Scan) -> dict[str, Any]:
        return {"root": scan.root, "stats": {"files": scan.files, "bytes": scan.bytes}}

    def _commit(self, refs: Refs, cache: dict[str, Any]) -> None:
        """Objects durable first, then the refs (the head moves), then the stat cache."""
        if self.objects.written:
            self.objects.flush()
            self.objects.written = 0
        save_refs(self.refs_path, refs)
        if cache != self._cache_on_disk:  # 100k unchanged files: nothing to rewrite
            save_cache(self.cache_path, cache)
            self._cache_on_disk = cache

    def _new_record(self, message: Any, author: Any, origin: Any = None) -> dict[str, Any]:
        created_at = _aware(self.clock(), "clock").isoformat()
        return {**_describe(message, author, origin), "created_at": created_at}


def _describe(message: Any, author: Any, origin: Any) -> dict[str, Any]:
    if not isinstance(message, str) or len(message) > TEXT_LIMIT:
        raise Invalid(f"message must be text of at most {TEXT_LIMIT} characters", field="message")
    if not isinstance(author, str) or not author.strip() or len(author) > 200:
        raise Invalid("author must be a non-empty name", field="author")
    origin = {} if origin is None else origin
    if not isinstance(origin, Mapping) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in origin.items()
    ):
        raise Invalid("origin must map names to text", field="origin")
    return {"message": message, "author": author, "origin": dict(origin)}


def _expect(refs: Refs, expected_head: Any) -> Refs:
    if expected_head is None:
        return refs
    if isinstance(expected_head, bool) or not isinstance(expected_head, int) or expected_head < 0:
        raise Invalid(
            "expected_head must be a snapshot number, or 0 for none", field="expected_head"
        )
    if (refs.head or 0) != expected_head:
        raise Conflict(
            f"the head moved from {expected_head} to {refs.head} since you looked",
            field="expected_head",
        )
    return refs


def _number(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"{field} must be a snapshot number (1, 2, …)", field=field)
    return value


def _aware(moment: Any, field: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise Invalid(f"{field} must be a date and time with a time zone", field=field)
    return moment


def _check_retention(keep_last: Any, older_than: Any, now: Any) -> None:
    if keep_last is None and older_than is None:
        raise Invalid("give keep_last, older_than or both", field="keep_last")
    if keep_last is not None and (
        isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 1
    ):
        raise Invalid("keep_last must be a whole number of at least 1", field="keep_last")
    if older_than is not None and (
        not isinstance(older_than, timedelta) or older_than < timedelta(0)
    ):
        raise Invalid("older_than must be a duration of zero or more", field="older_than")
    _aware(now, "now")


def _kept(
    refs: Refs, keep_last: int | None, older_than: timedelta | None, now: datetime
) -> set[int]:
    """The head, tagged snapshots, and those either rule keeps (the rules add up)."""
    numbers = sorted(refs.records)
    kept = {number for number in numbers if refs.records[number]["tags"]}
    if refs.head is not None:
        kept.add(refs.head)
    if keep_last is not None:
        kept.update(numbers[-keep_last:])
    if older_than is not None:
        cutoff = now - older_than
        kept.update(
            number
            for number in numbers
            if datetime.fromisoformat(refs.records[number]["created_at"]) >= cutoff
        )
    return kept


def snapshot_files(store: Path, number: int | None = None) -> list[tuple[str, int, str]]:
    """(path, size, sha256) of every file in snapshot `number` (None: the head), read
    from the store alone (no working folder needed)."""
    refs = load_refs(store / "refs.json")
    if number is None:
        if refs.head is None:
            raise NotFound("the dataset has no snapshot yet", field="snapshot")
        number = refs.head
    trees = Trees(ObjectStore(store))
    root = refs.root_of(_number(number, "snapshot"))
    return [(path, entry[3], entry[2]) for path, entry in trees.files(root) if entry[1] == FILE]
