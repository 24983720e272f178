"""The files driver under crashes and concurrent writers: a snapshot killed with SIGKILL
at chosen points (a real subprocess, stopped by its own hasher, so no timing guesses)
leaves the previous head and nothing half-visible; two writers: one wins, one Conflict."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.manifest import Trees
from galilean_services.datasets.model import Conflict, Invalid

# Snapshots `work` into `store` with a hasher that, on its Nth use, says so on stdout
# and waits for stdin (which never comes): the parent then kills it with SIGKILL.
SNAPSHOTTER = """
import hashlib, sys
from pathlib import Path
from galilean_services.datasets.files import FilesDataset

stop_at = int(sys.argv[3])
calls = 0

def hasher():
    global calls
    calls += 1
    if calls == stop_at:
        print("stopped", flush=True)
        sys.stdin.read()
    return hashlib.sha256()

FilesDataset(Path(sys.argv[1]), Path(sys.argv[2]), hasher=hasher).snapshot("big", "ann")
print("finished", flush=True)
"""


def make_folder(work: Path, files: int, folders: int) -> None:
    for n in range(files):
        path = work / f"part{n % folders}" / f"{n}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"content {n}".encode() * 100)


def objects_in(store: Path) -> set[str]:
    return {
        prefix.name + item.name
        for prefix in (store / "objects").iterdir()
        for item in prefix.iterdir()
    }


def kill_snapshot_at(work: Path, store: Path, stop_at: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SNAPSHOTTER, str(work), str(store), str(stop_at)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "stopped\n"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    return process


def refs_of(store: Path) -> Any:
    return json.loads((store / "refs.json").read_text())


@pytest.mark.parametrize(
    ("stop_at", "landed"),
    [
        (2, 1),  # killed after its first object lands
        (200 + 4 + 1, 200 + 4),  # every file and sub-folder written, the root tree not
    ],
)
def test_a_snapshot_killed_midway_leaves_the_previous_head(
    tmp_path: Path, stop_at: int, landed: int
) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    (work / "notes.txt").parent.mkdir()
    (work / "notes.txt").write_text("first version")
    FilesDataset(work, store).snapshot("first", "ann")
    refs_before = refs_of(store)
    objects_before = objects_in(store)
    (work / "notes.txt").unlink()
    make_folder(work, files=200, folders=4)

    kill_snapshot_at(work, store, stop_at)

    assert len(objects_in(store) - objects_before) == landed
    assert refs_of(store) == refs_before
    dataset = FilesDataset(work, store)
    assert [s.number for s in dataset.snapshots()] == [1]
    second = dataset.snapshot("second", "ann")  # the lock died with the process
    assert (second.number, second.parent, second.stats["files"]) == (2, 1, 200)
    assert dataset.diff(1, 2)["removed"] == ["notes.txt"]
    dataset.retain(keep_last=1, older_than=None, now=second.created_at)
    dataset.gc()
    roots = [record["root"] for record in refs_of(store)["snapshots"]]
    assert objects_in(store) == Trees(dataset.objects).reachable(roots)
    assert os.listdir(store / "tmp") == []


# Restores snapshot 1 with a file-system clock that, on its 2nd reading (after every file
# is written, before the head moves), says so and waits to be killed.
RESTORER = """
import sys, time
from pathlib import Path
from galilean_services.datasets.files import FilesDataset

readings = 0

def file_clock_ns():
    global readings
    readings += 1
    if readings == 2:
        print("stopped", flush=True)
        sys.stdin.read()
    return time.time_ns()

FilesDataset(Path(sys.argv[1]), Path(sys.argv[2]), file_clock_ns=file_clock_ns).restore(1, "bob")
"""


def test_a_restore_killed_before_the_head_moves_loses_nothing(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    make_folder(work, files=50, folders=5)
    dataset = FilesDataset(work, store)
    dataset.snapshot("first", "ann")
    (work / "part0" / "0.bin").write_text("an edit never snapshotted")
    (work / "part1" / "new.bin").write_text("a new file")
    process = subprocess.Popen(
        [sys.executable, "-c", RESTORER, str(work), str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "stopped\n"
    process.send_signal(signal.SIGKILL)
    process.wait()

    saved = dataset.head()  # the unsaved work was snapshotted before the folder changed
    assert saved is not None
    assert (saved.number, saved.message) == (2, "Work before restoring snapshot 1")
    assert dataset.diff(1, 2)["added"] == ["part1/new.bin"]
    assert not (work / "part1" / "new.bin").exists()  # the folder was already restored
    assert [p for p in work.rglob("*") if p.name.startswith(".galilean")] == []
    dataset.restore(2, "ann")
    assert (work / "part0" / "0.bin").read_text() == "an edit never snapshotted"


def test_a_restore_refuses_a_snapshot_whose_content_is_missing(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    make_folder(work, files=3, folders=1)
    dataset = FilesDataset(work, store)
    dataset.snapshot("first", "ann")
    digest = hashlib.sha256(b"content 1" * 100).hexdigest()
    dataset.objects.path_of(digest).unlink()
    (work / "part0" / "1.bin").write_text("changed")
    (work / "part0" / "2.bin").unlink()
    with pytest.raises(Invalid) as error:
        dataset.restore(1, "ann")
    assert error.value.item == "part0/1.bin"
    assert sorted(p.name for p in (work / "part0").iterdir()) == ["0.bin", "1.bin"]
    assert (work / "part0" / "1.bin").read_text() == "changed"


def test_leftovers_of_a_crashed_writer_are_ignored_then_swept(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    work.mkdir()
    (work / "a.txt").write_text("a")
    dataset = FilesDataset(work, store)
    dataset.snapshot("one", "ann")
    (store / ".refs-crashed").write_text("{half a refs fi")
    (store / "tmp" / "in-crashed").write_bytes(b"half an object")
    (work / ".galilean-restore-0123").write_text("half a restored file")
    assert dataset.snapshot("two", "ann").stats["files"] == 1
    assert not (work / ".galilean-restore-0123").exists()
    dataset.gc()
    assert os.listdir(store / "tmp") == []
    assert not (store / ".refs-crashed").exists()


def test_two_writers_one_wins_the_other_gets_a_conflict(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    work.mkdir()
    (work / "a.txt").write_text("a")
    inside, release = threading.Event(), threading.Event()

    def held_hasher() -> Any:
        inside.set()
        assert release.wait(timeout=60)
        return hashlib.sha256()

    first = FilesDataset(work, store, hasher=held_hasher)
    second = FilesDataset(work, store)
    result: list[Any] = []
    writer = threading.Thread(target=lambda: result.append(first.snapshot("first", "ann")))
    writer.start()
    assert inside.wait(timeout=60)
    try:
        attempts: list[Callable[[], object]] = [
            lambda: second.snapshot("second", "bob"),
            lambda: second.tag(1, "x"),
            second.gc,
        ]
        for attempt in attempts:
            with pytest.raises(Conflict) as error:
                attempt()
            assert error.value.field == "dataset"
    finally:
        release.set()
        writer.join()
    assert [s.number for s in second.snapshots()] == [1]
    assert result[0].author == "ann"
    assert second.snapshot("second", "bob").parent == 1


def test_a_writer_whose_head_moved_gets_a_conflict(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    work.mkdir()
    (work / "a.txt").write_text("a")
    dataset = FilesDataset(work, store)
    assert dataset.snapshot("first", "ann", expected_head=0).number == 1
    seen = dataset.head()
    assert seen is not None
    FilesDataset(work, store).snapshot("meanwhile", "bob")
    attempts: list[Callable[[], object]] = [
        lambda: dataset.snapshot("late", "ann", expected_head=seen.number),
        lambda: dataset.restore(1, "ann", expected_head=seen.number),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.field == "expected_head"
        assert "from 1 to 2" in error.value.message
    assert dataset.restore(1, "ann", expected_head=2).number == 3
    with pytest.raises(Invalid) as bad:
        dataset.snapshot("x", "ann", expected_head=-1)
    assert bad.value.field == "expected_head"
