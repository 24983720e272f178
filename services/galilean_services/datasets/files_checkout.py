"""A files dataset's snapshot as a folder to read (a notebook's `datasets.folder(...)`):
copied out of the store once into `<store>/checkouts/<number>`, under a temporary name
renamed when complete, so a reader never sees half a checkout. The newest few are kept;
making another removes the oldest."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

from .cas import ObjectStore
from .files_refs import load_refs
from .files_restore import Restore
from .manifest import Trees
from .model import Invalid, NotFound

CHECKOUTS = "checkouts"
KEEP = 3


def checkout(store: Path, number: int | None = None, keep: int = KEEP) -> Path:
    """The folder holding snapshot `number` (None: the head)."""
    refs = load_refs(store / "refs.json")
    if number is None:
        if refs.head is None:
            raise NotFound("the dataset has no snapshot yet", field="snapshot")
        number = refs.head
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise Invalid("snapshot must be a snapshot number (1, 2, …)", field="snapshot")
    root = refs.root_of(number)  # NotFound for a snapshot that does not exist
    folder = store / CHECKOUTS
    target = folder / str(number)
    if target.is_dir():
        os.utime(target)  # recently used: kept longest
        return target
    folder.mkdir(exist_ok=True)
    partial = folder / f".partial-{uuid.uuid4().hex}"
    partial.mkdir()
    try:
        objects = ObjectStore(store)
        Restore(objects, Trees(objects)).make_equal(str(partial), root, None)
        os.rename(partial, target)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not target.is_dir():  # not another reader's checkout won the race
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    _keep_newest(folder, keep)
    return target


def _keep_newest(folder: Path, keep: int) -> None:
    made = sorted(
        (entry for entry in folder.iterdir() if entry.name.isdigit()),
        key=lambda entry: entry.stat().st_mtime,
        reverse=True,
    )
    for old in made[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in folder.glob(".partial-*"):  # a reader killed mid-way, an hour ago or more
        if stale.stat().st_mtime < time.time() - 3600:
            shutil.rmtree(stale, ignore_errors=True)
