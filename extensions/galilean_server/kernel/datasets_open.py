"""Reading your datasets in a notebook without going through the service: a snapshot
of a tables dataset as a DataFrame, a files dataset's snapshot as a folder (a checkout
copied once per snapshot) or as rows (its labelled items, or its files). These read your
own folder, where your datasets' stores are; the kernel runs as you."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from galilean_services.datasets.locate import driver_of, store_of
from galilean_services.datasets.model import DatasetError, NotFound
from galilean_services.folders import user_home

ENGINES = ("pandas", "polars", "arrow")


class OpenError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def own_store(name: str, home: Path | None = None) -> Path:
    if "/" in name:
        raise OpenError(
            f"{name!r} is another user's dataset: only your own open here (its owner can "
            "export it or sample it into a dataset of yours)",
            "name",
        )
    try:
        store = store_of(home or user_home(), name, field="name")
        driver_of(store, field="name")
    except DatasetError as error:
        raise OpenError(error.message, error.field, 404) from None
    return store


def frame(
    name: str,
    table: str | None = None,
    snapshot: int | None = None,
    engine: str = "pandas",
    home: Path | None = None,
) -> Any:
    """A tables dataset's `table` (not needed when it has one) at `snapshot` (None: the
    head); a files dataset's labelled items (id, split, size, labels, boxes, score) or,
    for other files, its files (path, size, sha256). `engine`: pandas, polars or arrow."""
    if engine not in ENGINES:
        raise OpenError(f"engine must be one of {', '.join(ENGINES)}", "engine")
    home = home or user_home()
    store = own_store(name, home)
    try:
        rows = _arrow(store, home, table, snapshot)
    except DatasetError as error:
        status = 404 if isinstance(error, NotFound) else 400
        field = "snapshot" if error.field == "number" else error.field  # the argument's name
        raise OpenError(error.message, field or error.item, status) from None
    if engine == "arrow":
        return rows
    if engine == "polars":
        import polars as pl

        return pl.from_arrow(rows)
    return rows.to_pandas()


def folder(name: str, snapshot: int | None = None, home: Path | None = None) -> Path:
    """A files dataset's `snapshot` (None: the head) as a folder to read."""
    from galilean_services.datasets.files_checkout import checkout

    store = own_store(name, home)
    if driver_of(store) != "files":
        raise OpenError(f"{name!r} holds tables: use datasets.frame", "name")
    try:
        return checkout(store, snapshot)
    except DatasetError as error:
        raise OpenError(error.message, error.field or "snapshot", 404) from None


def _arrow(store: Path, home: Path, table: str | None, snapshot: int | None) -> Any:
    import pyarrow as pa

    if driver_of(store) == "tables":
        from galilean_services.datasets.tables import TablesDataset

        with TablesDataset(store, allowed_root=home) as lake:
            names = lake.tables(snapshot)
            if table is None:
                if len(names) != 1:
                    raise OpenError(
                        f"say which table: {', '.join(names) or 'it has none'}", "table"
                    )
                table = names[0]
            return lake.read(table, snapshot)
    from galilean_services.datasets.labels.index import read_snapshot
    from galilean_services.datasets.model import Invalid

    try:
        _, labelled = read_snapshot(store, snapshot)
    except Invalid as not_labelled:
        if not_labelled.field != "format":
            raise
        from galilean_services.datasets.files import snapshot_files

        files = snapshot_files(store, snapshot)
        return pa.table(
            {
                "path": [f[0] for f in files],
                "size": [f[1] for f in files],
                "sha256": [f[2] for f in files],
            }
        )
    items = labelled.items
    return pa.table(
        {
            "id": [item.id for item in items],
            "split": [item.split for item in items],
            "width": [item.width for item in items],
            "height": [item.height for item in items],
            "labels": [list(item.labels) for item in items],
            "boxes": [len(item.boxes) for item in items],
            "score": [item.score for item in items],
        }
    )
