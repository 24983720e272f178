"""Where a labelled set's files are read from: the dataset's folder as it is now, or one
of its snapshots straight from the content-addressed store (no restore needed). Both
answer the same three questions: which files, their bytes, a path to open."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from ..cas import ObjectStore
from ..files_refs import load_refs
from ..manifest import FILE, Trees
from ..model import Invalid, NotFound

MAX_LABEL_BYTES = 256 << 20  # a COCO file larger than this is refused, not read


class FileSource(Protocol):
    def paths(self) -> list[str]:
        """Every file's path relative to the dataset's folder, '/'-separated, sorted."""
        ...

    def read_bytes(self, path: str) -> bytes: ...

    def local_path(self, path: str) -> Path:
        """A path the caller may open for reading (never write through it)."""
        ...


class FolderSource:
    """The dataset's folder; symbolic links and anything leaving the folder are skipped."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._paths: list[str] | None = None

    def paths(self) -> list[str]:
        if self._paths is None:
            found: list[str] = []
            for top, dirs, files in os.walk(self.root):
                folder = Path(top)
                base = folder.relative_to(self.root)
                dirs[:] = sorted(d for d in dirs if not (folder / d).is_symlink())
                for name in files:
                    if not (folder / name).is_symlink():
                        found.append((base / name).as_posix())
            self._paths = sorted(found)
        return self._paths

    def read_bytes(self, path: str) -> bytes:
        return _read(self.local_path(path), path)

    def local_path(self, path: str) -> Path:
        full = (self.root / path).resolve()
        if not full.is_relative_to(self.root):
            raise Invalid(f"{path!r} is outside the dataset's folder", item=path)
        return full


class SnapshotSource:
    """Snapshot `number` (None: the head) of a files dataset's store."""

    def __init__(self, store: Path, number: int | None = None) -> None:
        refs = load_refs(store / "refs.json")
        if number is None:
            if refs.head is None:
                raise NotFound("the dataset has no snapshot yet", field="snapshot")
            number = refs.head
        self.number = number
        self.objects = ObjectStore(store)
        trees = Trees(self.objects)
        self._digests = {
            path: entry[2] for path, entry in trees.files(refs.root_of(number)) if entry[1] == FILE
        }

    def paths(self) -> list[str]:
        return sorted(self._digests)

    def read_bytes(self, path: str) -> bytes:
        return _read(self.local_path(path), path)

    def local_path(self, path: str) -> Path:
        digest = self._digests.get(path)
        if digest is None:
            raise NotFound(f"no file {path!r} in snapshot {self.number}", item=path)
        return self.objects.path_of(digest)


def _read(full: Path, path: str) -> bytes:
    try:
        size = full.stat().st_size
        if size > MAX_LABEL_BYTES:
            raise Invalid(f"{path!r} is larger than {MAX_LABEL_BYTES >> 20} MiB", item=path)
        return full.read_bytes()
    except FileNotFoundError as error:
        raise NotFound(f"no file {path!r}", item=path) from error
    except IsADirectoryError as error:
        raise Invalid(f"{path!r} is a folder", item=path) from error
