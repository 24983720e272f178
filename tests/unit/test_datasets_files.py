"""The files driver of the datasets core on real folders: snapshots, diff, restore, tags,
retention, garbage collection, the stat cache and bad input. Crashes and concurrent
writers are in test_datasets_files_crash.py."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.model import Conflict, Invalid, NotFound

START = datetime(2030, 1, 1, tzinfo=UTC)


class StepClock:
    """Snapshot times that move only when the test says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def later_ns() -> int:
    """The file system's clock as a snapshot a second from now would read it: files the
    test just wrote are old enough for the stat cache to trust."""
    return time.time_ns() + 1_000_000_000


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def contents(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and link below a folder: its text (or link target) and permissions."""
    found: dict[str, tuple[str, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = ("-> " + os.readlink(path), 0)
            else:
                found[key] = (path.read_text(), path.stat().st_mode & 0o777)
    return found


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    write(folder, {"a.txt": "alpha", "labels/one.txt": "0 0.5 0.5 1 1", "images/x.png": "png"})
    return folder


@pytest.fixture
def dataset(tmp_path: Path, work: Path, clock: StepClock) -> FilesDataset:
    return FilesDataset(work, tmp_path / "store", clock=clock, file_clock_ns=later_ns)


def test_snapshot_records_who_when_why_and_what(dataset: FilesDataset, clock: StepClock) -> None:
    assert dataset.head() is None
    assert dataset.snapshots() == []
    first = dataset.snapshot("imported", "ann", {"flow": "clean", "version": "3", "run": "r1"})
    clock.advance(hours=1)
    second = dataset.snapshot("again", "bob")
    assert (first.number, first.parent, first.created_at) == (1, None, START)
    assert dict(first.origin) == {"flow": "clean", "version": "3", "run": "r1"}
    assert dict(first.stats) == {"files": 3, "bytes": len("alpha0 0.5 0.5 1 1png")}
    assert (second.number, second.parent, second.author) == (2, 1, "bob")
    assert second.created_at == START + timedelta(hours=1)
    assert dataset.head() == second
    assert dataset.get(1) == first
    assert dataset.snapshots() == [first, second]
    assert first.to_json()["created_at"] == "2030-01-01T00:00:00+00:00"


def test_diff_lists_added_removed_modified_and_counts_unchanged(
    dataset: FilesDataset, work: Path
) -> None:
    dataset.snapshot("one", "ann")
    (work / "a.txt").write_text("alpha, longer")
    (work / "labels/one.txt").unlink()
    write(work, {"labels/two.txt": "1 0.2 0.2 0.1 0.1", "new/deep/z.txt": "z"})
    dataset.snapshot("two", "ann")
    assert dataset.diff(1, 2) == {
        "added": ["labels/two.txt", "new/deep/z.txt"],
        "removed": ["labels/one.txt"],
        "modified": [{"path": "a.txt", "old_size": 5, "new_size": 13}],
        "unchanged": 1,
    }
    assert json.loads(json.dumps(dataset.diff(2, 1)))["added"] == ["labels/one.txt"]


def test_an_unchanged_folder_is_one_shared_tree(
    dataset: FilesDataset, work: Path, tmp_path: Path
) -> None:
    write(work, {f"images/{n}.png": f"image {n}" for n in range(50)})
    dataset.snapshot("one", "ann")
    (work / "a.txt").write_text("changed")
    dataset.snapshot("two", "ann")
    refs = json.loads((tmp_path / "store/refs.json").read_text())
    roots = [record["root"] for record in refs["snapshots"]]
    trees = [
        {entry[0]: entry for entry in json.loads(dataset.objects.read_bytes(root))}
        for root in roots
    ]
    assert roots[0] != roots[1]
    assert trees[0]["images"] == trees[1]["images"]
    assert trees[0]["images"][4] == 51  # files below the shared tree
    assert dataset.diff(1, 2)["unchanged"] == 52


def test_only_files_whose_stat_changed_are_hashed_again(dataset: FilesDataset, work: Path) -> None:
    write(work, {f"images/{n}.png": f"image {n}" for n in range(100)})
    dataset.snapshot("one", "ann")
    assert dataset.last_scan is not None
    assert len(dataset.last_scan.hashed) == 103
    (work / "images/7.png").write_text("image 7 edited")
    os.chmod(work / "a.txt", 0o600)  # ctime changes: read again, content the same
    write(work, {"images/new.png": "new"})
    second = dataset.snapshot("two", "ann")
    assert sorted(dataset.last_scan.hashed) == ["a.txt", "images/7.png", "images/new.png"]
    dataset.snapshot("three", "ann")
    assert dataset.last_scan.hashed == []
    assert second.stats["files"] == 104
    assert dataset.diff(1, 2)["modified"] == [
        {"path": "a.txt", "old_size": 5, "new_size": 5},
        {"path": "images/7.png", "old_size": 7, "new_size": 14},
    ]


def test_a_file_written_just_before_a_snapshot_is_hashed_again(tmp_path: Path, work: Path) -> None:
    """The racy rule: a second write inside one timestamp tick could keep size and mtime,
    so files written within 0.1 s of a scan are not trusted by the next one."""
    written = max(path.stat().st_mtime_ns for path in work.rglob("*") if path.is_file())
    file_clock = [written + 50_000_000]  # the scan starts 0.05 s after the last write
    dataset = FilesDataset(work, tmp_path / "store", file_clock_ns=lambda: file_clock[0])
    dataset.snapshot("one", "ann")
    file_clock[0] = written + 150_000_000
    dataset.snapshot("two", "ann")
    assert dataset.last_scan is not None
    assert sorted(dataset.last_scan.hashed) == ["a.txt", "images/x.png", "labels/one.txt"]
    dataset.snapshot("three", "ann")  # 0.15 s: old enough to trust
    assert dataset.last_scan.hashed == []


def test_restore_makes_the_folder_equal_as_a_new_head(dataset: FilesDataset, work: Path) -> None:
    os.chmod(work / "a.txt", 0o700)
    os.symlink("labels/one.txt", work / "link")
    before = contents(work)
    dataset.snapshot("one", "ann")
    kept = (work / "images/x.png").stat().st_ino
    (work / "a.txt").write_text("rewritten")
    (work / "labels/one.txt").unlink()
    (work / "link").unlink()
    os.symlink("a.txt", work / "link")
    write(work, {"extra/deep/file.txt": "extra"})
    dataset.snapshot("two", "ann")

    restored = dataset.restore(1, "bob")

    assert contents(work) == before
    assert not (work / "extra").exists()
    assert (work / "images/x.png").stat().st_ino == kept  # unchanged files untouched
    assert (restored.number, restored.parent, dict(restored.origin)) == (3, 2, {"restored": "1"})
    assert [s.number for s in dataset.snapshots()] == [1, 2, 3]
    assert dataset.diff(1, 3) == {"added": [], "removed": [], "modified": [], "unchanged": 4}
    dataset.snapshot("after", "bob")
    assert dataset.last_scan is not None
    assert dataset.last_scan.hashed == []  # the restore filled the stat cache
    dataset.restore(2, "bob")
    assert (work / "extra/deep/file.txt").read_text() == "extra"
    assert os.readlink(work / "link") == "a.txt"


def test_restore_keeps_work_that_was_not_snapshotted(dataset: FilesDataset, work: Path) -> None:
    dataset.snapshot("one", "ann")
    (work / "a.txt").write_text("unsaved edit")
    restored = dataset.restore(1, "bob")
    saved = dataset.get(2)
    assert saved.message == "Work before restoring snapshot 1"
    assert (restored.number, restored.parent) == (3, 2)
    assert (work / "a.txt").read_text() == "alpha"
    dataset.restore(2, "bob")
    assert (work / "a.txt").read_text() == "unsaved edit"


def test_restored_files_are_copies_not_the_stored_objects(
    dataset: FilesDataset, work: Path
) -> None:
    dataset.snapshot("one", "ann")
    (work / "a.txt").unlink()
    dataset.restore(1, "bob")
    (work / "a.txt").write_text("edited in place")
    stored = dataset.objects.path_of(hashlib.sha256(b"alpha").hexdigest())
    assert stored.read_text() == "alpha"
    assert stored.stat().st_mode & 0o777 == 0o444
    assert stored.stat().st_ino != (work / "a.txt").stat().st_ino


def test_tags_are_unique(dataset: FilesDataset) -> None:
    dataset.snapshot("one", "ann")
    dataset.snapshot("two", "ann")
    assert dataset.tag(1, "v1.0").tags == ("v1.0",)
    assert dataset.tag(1, "v1.0").tags == ("v1.0",)  # again: nothing changes
    assert dataset.tag(1, "best").tags == ("v1.0", "best")
    with pytest.raises(Conflict) as taken:
        dataset.tag(2, "v1.0")
    assert taken.value.field == "tag"
    assert "snapshot 1" in taken.value.message
    bad_tags: list[Any] = ["", "-x", "a b", "x" * 65, 3]
    for bad in bad_tags:
        with pytest.raises(Invalid) as error:
            dataset.tag(2, bad)
        assert error.value.field == "tag"
    with pytest.raises(NotFound):
        dataset.tag(9, "v2")


def test_retention_keeps_the_head_tagged_and_what_the_rules_keep(
    dataset: FilesDataset, work: Path, clock: StepClock
) -> None:
    for day in range(6):
        (work / "a.txt").write_text(f"day {day}")
        dataset.snapshot(f"day {day}", "ann")
        clock.advance(days=1)
    dataset.tag(2, "baseline")
    report = dataset.retain(keep_last=2, older_than=None, now=clock.now)
    assert (report.removed, report.kept) == ((1, 3, 4), (2, 5, 6))
    report = dataset.retain(keep_last=None, older_than=timedelta(days=1, hours=12), now=clock.now)
    assert (report.removed, report.kept) == ((5,), (2, 6))
    assert [s.number for s in dataset.snapshots()] == [2, 6]
    assert dataset.snapshot("next", "ann").number == 7  # numbers never repeat
    with pytest.raises(NotFound):
        dataset.get(5)


def test_retention_checks_its_input(dataset: FilesDataset, clock: StepClock) -> None:
    cases = [
        ({"keep_last": None, "older_than": None, "now": clock.now}, "keep_last"),
        ({"keep_last": 0, "older_than": None, "now": clock.now}, "keep_last"),
        ({"keep_last": True, "older_than": None, "now": clock.now}, "keep_last"),
        ({"keep_last": None, "older_than": timedelta(-1), "now": clock.now}, "older_than"),
        ({"keep_last": None, "older_than": 3, "now": clock.now}, "older_than"),
        ({"keep_last": 1, "older_than": None, "now": datetime(2030, 1, 1)}, "now"),
    ]
    for arguments, field in cases:
        with pytest.raises(Invalid) as error:
            dataset.retain(**arguments)  # type: ignore[arg-type]
        assert error.value.field == field


def test_gc_frees_exactly_the_unreferenced_objects(
    dataset: FilesDataset, work: Path, tmp_path: Path, clock: StepClock
) -> None:
    (work / "a.txt").write_text("only in the first")
    dataset.snapshot("one", "ann")
    first_root = json.loads((tmp_path / "store/refs.json").read_text())["snapshots"][0]["root"]
    (work / "a.txt").write_text("alpha")
    dataset.snapshot("two", "ann")
    assert dataset.gc().objects_removed == 0
    dataset.retain(keep_last=1, older_than=None, now=clock.now)
    on_disk = {digest for digest, _ in dataset.objects.iter_objects()}
    unique = hashlib.sha256(b"only in the first").hexdigest()
    expected_bytes = len("only in the first") + dataset.objects.path_of(first_root).stat().st_size

    report = dataset.gc()

    assert on_disk - {digest for digest, _ in dataset.objects.iter_objects()} == {
        unique,
        first_root,
    }
    assert (report.objects_removed, report.bytes_freed) == (2, expected_bytes)
    assert dataset.gc().objects_removed == 0
    dataset.restore(2, "bob")
    assert contents(work)["a.txt"] == ("alpha", 0o644)


def test_links_leaving_the_folder_and_special_files_are_refused(
    dataset: FilesDataset, work: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text("outside")
    cases = {
        "up": "../secret.txt",
        "abs": str(tmp_path / "secret.txt"),
        "labels/sneaky": "../../secret.txt",
        "hop": "labels/../..",
    }
    for name, target in cases.items():
        os.symlink(target, work / name)
        with pytest.raises(Invalid) as error:
            dataset.snapshot("x", "ann")
        assert error.value.item == name
        os.unlink(work / name)
    os.mkfifo(work / "labels/pipe")
    with pytest.raises(Invalid) as error:
        dataset.snapshot("x", "ann")
    assert error.value.item == "labels/pipe"
    assert dataset.snapshots() == []


def test_a_link_inside_the_folder_is_kept_not_followed(dataset: FilesDataset, work: Path) -> None:
    os.symlink("labels", work / "alias")
    snapshot = dataset.snapshot("one", "ann")
    assert snapshot.stats["files"] == 4  # the link, not the folder behind it


def test_bad_arguments_name_their_field(dataset: FilesDataset, work: Path, tmp_path: Path) -> None:
    dataset.snapshot("one", "ann")
    wrong: Any = dataset  # calls with the wrong types, as an untyped caller makes them
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: dataset.snapshot("x", ""), "author"),
        (lambda: wrong.snapshot(3, "ann"), "message"),
        (lambda: wrong.snapshot("x", "ann", {"run": 3}), "origin"),
        (lambda: dataset.get(0), "number"),
        (lambda: wrong.get("1"), "number"),
        (lambda: dataset.diff(1, True), "newer"),
        (lambda: dataset.restore(-1, "ann"), "number"),
        (lambda: FilesDataset(tmp_path / "missing", tmp_path / "s"), "work"),
        (lambda: FilesDataset(work, work / ".store"), "store"),
    ]
    for call, field in cases:
        with pytest.raises(Invalid) as error:
            call()
        assert error.value.field == field
    missing_cases: list[tuple[Callable[[], object], str]] = [
        (lambda: dataset.get(7), "7"),
        (lambda: dataset.diff(7, 1), "7"),
    ]
    for call, item in missing_cases:
        with pytest.raises(NotFound) as missing:
            call()
        assert missing.value.item == item


def test_a_tampered_manifest_is_refused_naming_the_entry(
    dataset: FilesDataset, work: Path, tmp_path: Path
) -> None:
    dataset.snapshot("one", "ann")
    refs_path = tmp_path / "store/refs.json"
    refs = json.loads(refs_path.read_text())
    evil = json.dumps([["..", "f", hashlib.sha256(b"alpha").hexdigest(), 5, 0o644]]).encode()
    refs["snapshots"][0]["root"] = dataset.objects.put_bytes(evil)
    refs_path.write_text(json.dumps(refs))
    with pytest.raises(Invalid) as error:
        dataset.restore(1, "ann")
    assert error.value.item == ".."
    assert (work / "a.txt").read_text() == "alpha"
