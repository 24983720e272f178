"""The Labelled of a snapshot, cached in the store: reading a 20k-image snapshot means
20k image headers and label files, but a snapshot never changes, so its Labelled is kept
at `<store>/labels-index/<snapshot's root digest>.json` (written atomically) and never
goes stale. Entries of roots no snapshot names any more are removed when one is written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..files_refs import load_refs
from ..model import Invalid, NotFound
from .model import FORMATS, Box, Item, Labelled
from .source import SnapshotSource

INDEX = "labels-index"
INDEX_VERSION = 1


def snapshot_number(store: Path, number: Any, field: str = "snapshot") -> int:
    """`number`, checked against the store, or the head's when None."""
    refs = load_refs(store / "refs.json")
    if number is None:
        if refs.head is None:
            raise NotFound("the dataset has no snapshot yet", field=field)
        return refs.head
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise Invalid(f"{field} must be a snapshot number (1, 2, …)", field=field)
    refs.record(number)
    return number


def read_snapshot(store: Path, number: int | None = None) -> tuple[SnapshotSource, Labelled]:
    """Snapshot `number` (None: the head) as a file source and its labelled set."""
    number = snapshot_number(store, number)
    root = load_refs(store / "refs.json").root_of(number)
    source = SnapshotSource(store, number)
    cached = _load(store / INDEX / f"{root}.json")
    if cached is not None:
        return source, cached
    from .formats import read_labelled  # the readers open every image's header

    labelled = read_labelled(source)
    _save(store, root, labelled)
    return source, labelled


def to_json(labelled: Labelled) -> dict[str, Any]:
    return {
        "version": INDEX_VERSION,
        "format": labelled.format,
        "classes": list(labelled.classes),
        "extras": dict(labelled.extras),
        "items": [
            [
                item.id,
                item.split,
                item.width,
                item.height,
                item.label_file,
                [[b.label, b.x, b.y, b.width, b.height, b.score] for b in item.boxes],
            ]
            for item in labelled.items
        ],
    }


def from_json(raw: Any) -> Labelled | None:
    """The cached set, or None when the entry is of another version or malformed."""
    try:
        if raw["version"] != INDEX_VERSION or raw["format"] not in FORMATS:
            return None
        items = tuple(
            Item(
                id=str(ident),
                split=str(split),
                width=int(width),
                height=int(height),
                label_file=None if label_file is None else str(label_file),
                boxes=tuple(_box(b) for b in boxes),
            )
            for ident, split, width, height, label_file, boxes in raw["items"]
        )
        classes = tuple(str(name) for name in raw["classes"])
        return Labelled(raw["format"], classes, items, dict(raw["extras"]))
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _box(raw: list[Any]) -> Box:
    label, x, y, width, height, score = raw
    x, y, width, height = (float(n) for n in (x, y, width, height))
    return Box(str(label), x, y, width, height, None if score is None else float(score))


def _load(path: Path) -> Labelled | None:
    try:
        return from_json(json.loads(path.read_bytes()))
    except (OSError, ValueError):
        return None


def _save(store: Path, root: str, labelled: Labelled) -> None:
    """Atomically (temporary file, rename); a set whose extras are not JSON, or a store
    that cannot be written, is not kept."""
    folder = store / INDEX
    try:
        data = json.dumps(to_json(labelled), separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return
    try:
        folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".index-")
    except OSError:  # a store this process may not write: read again next time
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / f"{root}.json")
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    _prune(store, folder)


def _prune(store: Path, folder: Path) -> None:
    refs = load_refs(store / "refs.json")
    named = {f"{record['root']}.json" for record in refs.records.values()}
    for name in os.listdir(folder):
        if name not in named and not name.startswith(".index-"):
            (folder / name).unlink(missing_ok=True)
