"""Restoring a files dataset by hardlink: restored files are the read-only objects (fast
to create), their recorded permissions survive the next snapshot, replacing a file leaves
the store intact, and a store on another device falls back to copies."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.files_refs import load_refs
from galilean_services.datasets.manifest import Trees
from galilean_services.datasets.model import Invalid


def later_ns() -> int:
    """The file system's clock a second from now: what the test wrote is old enough."""
    return time.time_ns() + 1_000_000_000


def fill(work: Path) -> None:
    (work / "labels").mkdir(parents=True)
    (work / "labels/a.txt").write_text("0 0.5 0.5 1 1")
    (work / "image.png").write_text("png bytes")
    os.chmod(work / "image.png", 0o600)


@pytest.fixture
def other_device() -> Iterator[Path]:
    """A folder on another file system than tmp_path (tmpfs), where hardlinks fail."""
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm here")
    folder = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="galilean-test-"))
    yield folder
    shutil.rmtree(folder)


def test_a_hardlinked_restore_shares_the_read_only_objects(tmp_path: Path) -> None:
    work = tmp_path / "work"
    fill(work)
    dataset = FilesDataset(work, tmp_path / "store", file_clock_ns=later_ns, restore_by="hardlink")
    dataset.snapshot("one", "ann")
    shutil.rmtree(work / "labels")
    (work / "image.png").unlink()

    dataset.restore(1, "bob")

    image = (work / "image.png").stat()
    stored = dataset.objects.path_of(_digest_of(dataset, "image.png"))
    assert image.st_ino == stored.stat().st_ino
    assert image.st_mode & 0o777 == 0o444
    assert (work / "labels/a.txt").read_text() == "0 0.5 0.5 1 1"
    again = dataset.snapshot("after", "bob")
    assert dataset.last_scan is not None
    assert dataset.last_scan.hashed == []
    assert dataset.diff(1, again.number)["unchanged"] == 2  # 0o600 recorded, not 0o444

    (work / "image.png").unlink()  # how a tool replaces a read-only file
    (work / "image.png").write_text("edited")
    edited = dataset.snapshot("edited", "bob")
    assert dataset.diff(again.number, edited.number)["modified"] == [
        {"path": "image.png", "old_size": 9, "new_size": 6}
    ]
    assert stored.read_text() == "png bytes"
    dataset.restore(1, "bob")  # over an existing file: linked aside, renamed over it
    assert (work / "image.png").stat().st_ino == stored.stat().st_ino
    assert [p.name for p in work.iterdir() if p.name.startswith(".galilean")] == []


def test_a_store_on_another_device_restores_by_copy(tmp_path: Path, other_device: Path) -> None:
    work = tmp_path / "work"
    fill(work)
    dataset = FilesDataset(work, other_device / "store", restore_by="hardlink")
    dataset.snapshot("one", "ann")
    (work / "image.png").unlink()
    dataset.restore(1, "bob")
    assert (work / "image.png").read_text() == "png bytes"
    assert (work / "image.png").stat().st_mode & 0o777 == 0o600
    assert (work / "image.png").stat().st_dev != dataset.objects.objects.stat().st_dev


def test_restore_by_is_checked(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    with pytest.raises(Invalid) as error:
        FilesDataset(tmp_path / "work", tmp_path / "store", restore_by="symlink")
    assert error.value.field == "restore_by"


def _digest_of(dataset: FilesDataset, path: str) -> str:
    """The digest a file has in the head snapshot, read from the manifest."""
    refs = load_refs(dataset.refs_path)
    assert refs.head is not None
    files = dict(Trees(dataset.objects).files(refs.root_of(refs.head)))
    return files[path][2]
