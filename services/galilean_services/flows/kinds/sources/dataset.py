"""`source.dataset`: one of your datasets (issue 15), at its head or a pinned snapshot.
A tables dataset gives one of its tables (time travel to the snapshot); a files dataset
gives its files, one row each (path, size, sha256), e.g. the images of a labelled set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from ....datasets.locate import driver_of, store_of
from ....datasets.model import DatasetError
from ...issues import NodeError
from ...registry import CompileContext
from .base import EagerSource

HEAD_FILES = ("refs.json", "catalog.sqlite", "catalog.sqlite-wal")
DATASET_NAME = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"}


def owners_folder(ctx: CompileContext) -> Path:
    """The owner's folder, where their datasets are (a run's; else the current user's)."""
    if ctx.home is not None:
        return ctx.home
    from ....folders import user_home

    return user_home()


def dataset_error(params: dict[str, Any], error: DatasetError) -> NodeError:
    return NodeError(f"dataset {params.get('dataset')!r}: {error.message}")


class DatasetSource(EagerSource):
    name = "source.dataset"
    title = "Dataset"
    params_schema = {
        "type": "object",
        "required": ["dataset"],
        "properties": {
            "dataset": DATASET_NAME,
            "table": {
                "type": "string",
                "minLength": 1,
                "description": "a tables dataset's table (not needed when it has one)",
            },
            "snapshot": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "a snapshot number; empty: the dataset as it is now (its head)",
            },
        },
        "additionalProperties": False,
    }

    def fingerprint(self, params: dict[str, Any], ctx: CompileContext) -> str:
        """The snapshot read: a pinned one never changes; the head changes with every
        commit, which rewrites the store's refs or catalog (and its write-ahead log)."""
        if params.get("snapshot"):
            return f"snapshot {params['snapshot']}"
        try:
            store = store_of(owners_folder(ctx), params["dataset"])
        except DatasetError:
            return "missing"
        stamps = [
            str(path.stat().st_mtime_ns)
            for path in (store / n for n in HEAD_FILES)
            if path.exists()
        ]
        return "head " + " ".join(stamps)

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        home = owners_folder(ctx)
        number = params.get("snapshot")
        try:
            store = store_of(home, params["dataset"])
            if driver_of(store) == "files":
                from ....datasets.files import snapshot_files

                rows = snapshot_files(store, number)
                return pa.table(
                    {
                        "path": pa.array([r[0] for r in rows], pa.string()),
                        "size": pa.array([r[1] for r in rows], pa.int64()),
                        "sha256": pa.array([r[2] for r in rows], pa.string()),
                    }
                )
            return read_table(store, home, params.get("table"), number)
        except DatasetError as error:
            raise dataset_error(params, error) from None


def read_table(store: Path, home: Path, table: str | None, number: int | None) -> pa.Table:
    from ....datasets.tables import TablesDataset

    lake = TablesDataset(store, allowed_root=home)
    try:
        if table is None:
            names = lake.tables(number)
            if len(names) != 1:
                raise NodeError(
                    f"the dataset has {len(names)} tables ({', '.join(names) or 'none'}): "
                    "say which in `table`"
                )
            table = names[0]
        return lake.read(table, number)
    finally:
        lake.close()
