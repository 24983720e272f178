"""Edits of a labelled files dataset, each batch a new snapshot, never an in-place change
of one: add an image from the owner's folder, remove, move between splits, relabel (new
boxes, or one label renamed on an item).

Order: the editors' lock (`<store>/edit.lock`, waited for); the folder snapshotted first
when it differs from the head ("Work before edits": nothing is lost); every edit checked
against the head's Labelled before anything is touched; then the images copied, moved or
removed, the label files the format's renderer changed written (each atomically) or
removed; then the snapshot. The previous head stays a snapshot, restorable."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...kit.files import write_atomically
from ..files import FilesDataset
from ..model import Invalid, Snapshot
from .edits_check import Change, check_edits
from .index import read_snapshot

LOCK = "edit.lock"
MESSAGE_LIMIT = 2000


def apply_edits(
    dataset: FilesDataset, edits: list[dict[str, Any]], author: str, *, home: Path
) -> Snapshot:
    """`home`: the owner's folder, where an added image's `from` path lies."""
    with _editors_lock(dataset.store_root / LOCK):
        dataset.snapshot_if_changed("Work before edits", author, {"edit": "work before edits"})
        source, labelled = read_snapshot(dataset.store_root)
        change = check_edits(labelled, edits, home.resolve(), dataset.work)
        _carry_out(dataset.work, change)
        return dataset.snapshot(
            _message(change), author, {"edit": change.summary()}, expected_head=source.number
        )


@contextmanager
def _editors_lock(path: Path) -> Iterator[None]:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # editors wait their turn (the worker's timeout)
        yield
    finally:
        os.close(handle)


@dataclass
class _Writes:
    files: dict[str, bytes] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)


def _carry_out(work: Path, change: Change) -> None:
    for step in change.steps:
        if step.op == "copy":
            _copy_in(Path(step.source), _inside(work, step.target))
        elif step.op == "move":
            target = _inside(work, step.target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(_inside(work, step.source), target)
        else:
            _inside(work, step.source).unlink(missing_ok=True)
    writes = _label_writes(change)
    for path, data in writes.files.items():
        write_atomically(_inside(work, path), data, prefix=".galilean-edit-")
    for path in writes.gone:
        _inside(work, path).unlink(missing_ok=True)


def _label_writes(change: Change) -> _Writes:
    """The label files whose rendering changed, and those the new set no longer has."""
    before, after = change.render_before(), change.render_after()
    writes = _Writes()
    writes.files = {path: data for path, data in after.items() if before.get(path) != data}
    writes.gone = sorted(set(before) - set(after))
    return writes


def _inside(work: Path, relative: str) -> Path:
    path = (work / relative).resolve()
    if not path.is_relative_to(work):
        raise Invalid(f"{relative!r} is outside the dataset's folder", item=relative)
    return path


def _copy_in(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".galilean-edit-")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _message(change: Change) -> str:
    text = "Edit: " + "; ".join(change.described)
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1] + "…"
    return text
