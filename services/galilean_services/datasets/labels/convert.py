"""Export a labelled image set to YOLO, COCO or Pascal VOC (its own layout or another:
converting), as a folder written atomically.

The new layout is built in a hidden folder beside the target (`.<name>.partial-<id>`):
label files from the layout's renderer, images copied (never hardlinked: a snapshot's
objects are read-only and shared), then one syncfs of the file system, then the folder
takes the target's name. With `overwrite`, an existing target is swapped with the new
folder in one renameat2(RENAME_EXCHANGE) where the system has it (old aside, new in
otherwise) and the old one removed. A kill -9 at any point leaves the target as it was;
the partial folder it leaves is removed by the next export to that target (the folder is
flock'ed while its export lives, so a running export's folder is never taken)."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..cas import flush_file_system, fsync_path
from ..model import Conflict, Invalid, NotFound
from .formats import Layout, module_of, read_labelled
from .model import Format, Item, Labelled, check_format
from .source import FileSource

# Files written, files in all: after each file of the new layout.
Progress = Callable[[int, int], None]
AT_FDCWD = -100
RENAME_EXCHANGE = 2


def relaid(labelled: Labelled, fmt: Format, layout: Layout) -> tuple[Labelled, dict[str, str]]:
    """`labelled` with every item at its image's place in `fmt`'s layout, and new image
    path → the image it is copied from; Invalid naming an item whose place another has."""
    sources: dict[str, str] = {}
    items: list[Item] = []
    for item in labelled.items:
        place = layout.image_path(item)
        if place in sources:
            raise Invalid(
                f"{item.id} and {sources[place]} would both be {place} in {fmt}: rename one",
                item=item.id,
            )
        sources[place] = item.id
        items.append(replace(item, id=place, label_file=None))
    extras = {k: v for k, v in labelled.extras.items() if k != "path"}
    kept = extras if labelled.format == fmt else {}
    return Labelled(fmt, labelled.classes, tuple(items), kept), sources


def _partial_prefix(target: Path) -> str:
    return f".{target.name}.partial-"


def sweep_stale(target: Path) -> int:
    """Remove the partial folders killed exports to `target` left (none is locked)."""
    removed = 0
    prefix = _partial_prefix(target)
    for entry in os.scandir(target.parent):
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        with _locked(Path(entry.path), wait=False) as mine:
            if mine:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed += 1
    return removed


@contextmanager
def _locked(folder: Path, wait: bool = True) -> Iterator[bool]:
    """flock `folder` for as long as the block runs; yields False when another holds it."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(handle)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one step (Linux renameat2); False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _put_in_place(building: Path, target: Path) -> None:
    """`building` becomes `target`; an old target ends at `building`'s name, removed."""
    if target.exists() or target.is_symlink():
        if not _exchange(building, target):
            aside = target.parent / f"{_partial_prefix(target)}old-{uuid.uuid4().hex}"
            os.rename(target, aside)
            os.rename(building, target)
            building = aside
        fsync_path(target.parent)
        if building.is_dir() and not building.is_symlink():
            shutil.rmtree(building)
        else:
            building.unlink()
    else:
        os.rename(building, target)
        fsync_path(target.parent)


def _write_files(
    building: Path,
    source: FileSource,
    labels: dict[str, bytes],
    images: dict[str, str],
    progress: Progress | None,
) -> int:
    """Every label file and image under `building`; the bytes written."""
    total, done, written = len(labels) + len(images), 0, 0
    for relative, data in labels.items():
        path = building / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += len(data)
        done += 1
        if progress is not None:
            progress(done, total)
    for relative, original in images.items():
        path = building / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.local_path(original), path)  # content only: not read-only
        written += path.stat().st_size
        done += 1
        if progress is not None:
            progress(done, total)
    return written


def check_target(target: Path, overwrite: bool, shown: str) -> None:
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise Conflict(f"{shown!r} exists: set overwrite to replace it", field="path", item=shown)
    if target.parent.exists() and not target.parent.is_dir():
        raise Invalid(f"{shown!r}: its parent is a file, not a folder", field="path")


def export_labelled(
    source: FileSource,
    target: Path,
    fmt: Format,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    source_format: Format | None = None,
    shown: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    only: Collection[str] | None = None,
) -> dict[str, Any]:
    """Write `source`'s labelled set (its layout detected unless `source_format` says
    it) as a folder `target` in layout `fmt`, atomically; `shown` names the target in
    errors (default: its name); `only`: the ids of the items to write (a sample; the
    classes all stay, so class ids keep their meaning). Items, boxes, files, bytes and
    seconds it took."""
    started = clock()
    fmt = check_format(fmt)
    named = shown or target.name
    check_target(target, overwrite, named)
    layout = module_of(fmt)
    original = read_labelled(source, source_format)
    if only is not None:
        kept = set(only)
        original = replace(original, items=tuple(i for i in original.items if i.id in kept))
    labelled, images = relaid(original, fmt, layout)
    labels = layout.render(labelled)
    clash = sorted(set(labels) & set(images))
    if clash:
        raise Invalid(f"{clash[0]} is both an image and a label file in {fmt}", item=clash[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target)
    building = target.parent / f"{_partial_prefix(target)}{uuid.uuid4().hex}"
    building.mkdir()
    try:
        with _locked(building):
            written = _write_files(building, source, labels, images, progress)
            flush_file_system(building)
            check_target(target, overwrite, named)  # another export may have made it
            _put_in_place(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return {
        "format": fmt,
        "from_format": original.format,
        "items": len(labelled.items),
        "boxes": sum(len(item.boxes) for item in labelled.items),
        "classes": len(labelled.classes),
        "files": len(labels) + len(images),
        "bytes": written,
        "seconds": round(clock() - started, 3),
    }


# The worker's `export` of a files dataset --------------------------------------------


def owner_folder(store: Path) -> Path:
    """The owner's folder a dataset's store lies in (`<folder>/.galilean/datasets/<name>`,
    datasets/locate.py)."""
    from ..locate import STORES

    depth = len(STORES.parts)
    folder = store.parents[depth]
    if folder / STORES / store.name != store:
        raise Invalid(f"{store} is not a dataset's store in a folder", field="dataset")
    return folder


def _target(root: Path, work: Path, path: str) -> Path:
    from ..export import check_relative  # the tables export's rule for a path

    folder = root.resolve()
    target = folder / check_relative(path)
    parent = target.parent.resolve()
    if not parent.is_relative_to(folder) or target.resolve() == folder:
        raise Invalid(f"{path!r} leads outside your folder", field="path")
    if (parent / target.name).resolve().is_relative_to(work.resolve()):
        raise Invalid(
            f"{path!r} is inside the dataset's own folder: the export would join its next "
            "snapshot; choose a folder outside it",
            field="path",
        )
    return parent / target.name


def export_files_dataset(
    work: Path, store: Path, args: Mapping[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    """{path, format: yolo|coco|voc, snapshot?, overwrite?}: the snapshot (the head by
    default), read from the store itself and not the work folder, exported to `path`."""
    from .source import SnapshotSource

    fmt = check_format(args.get("format"))
    number = args.get("snapshot")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
        raise Invalid("snapshot: a snapshot number", field="snapshot")
    overwrite = args.get("overwrite", False)
    if not isinstance(overwrite, bool):
        raise Invalid("overwrite: true or false", field="overwrite")
    path = args.get("path")
    if not isinstance(path, str) or not path:
        raise Invalid("path: a non-empty text is required", field="path")
    root = owner_folder(store)
    target = _target(root, work, path)
    try:
        source = SnapshotSource(store, number)
    except NotFound as missing:
        raise NotFound(missing.message, field="snapshot", item=missing.item) from None
    made = export_labelled(source, target, fmt, overwrite=overwrite, shown=path, progress=progress)
    shown = target.relative_to(root.resolve()).as_posix()
    return {"path": shown, "snapshot": source.number, **made}
