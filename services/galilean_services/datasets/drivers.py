"""The two storage drivers by name, opened over a dataset's folders: `files` (a working
folder snapshotted into a content-addressed store) and `tables` (a DuckLake lake)."""

from __future__ import annotations

from pathlib import Path

from .model import Invalid, SnapshotStore

DRIVERS = ("files", "tables")


def open_driver(driver: str, work: Path | None, store: Path, root: Path) -> SnapshotStore:
    """`root`: the owner's folder; `work` (files) and `store` lie inside it."""
    if driver == "files":
        if work is None:
            raise Invalid("a files dataset needs its folder", field="folder")
        from .files import FilesDataset

        return FilesDataset(work, store)
    if driver == "tables":
        from .tables import TablesDataset

        return TablesDataset(store, allowed_root=root)
    raise Invalid(f"unknown driver {driver!r}: one of {', '.join(DRIVERS)}", field="driver")
