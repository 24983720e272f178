"""`destination.dataset`: write the rows into a table of one of your tables datasets
(issue 15). Each run commits one snapshot whose origin names the flow, its version and
the run, so the dataset's history says which run made which data."""

from __future__ import annotations

import getpass
from typing import Any

import pyarrow as pa

from ....datasets.locate import store_of
from ....datasets.model import DatasetError
from ...issues import NodeError
from ...registry import Columns, CompileContext
from ..sources.dataset import DATASET_NAME, dataset_error, owners_folder
from .base import PassThrough


class DatasetWriter(PassThrough):
    name = "destination.dataset"
    title = "Write to a dataset"
    writes = True
    params_schema = {
        "type": "object",
        "required": ["dataset", "table"],
        "properties": {
            "dataset": DATASET_NAME,
            "table": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$"},
            "mode": {"enum": ["replace", "append", "upsert"], "default": "replace"},
            "key": {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "x-galilean": "column"},
                "description": "the columns that name a row (upsert; and a diff's changed rows)",
            },
            "message": {"type": "string", "maxLength": 2000},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        if params.get("mode") == "upsert" and not params.get("key"):
            return [("key", "an upsert needs the key columns that name a row")]
        columns = upstream.get("in")
        missing = [k for k in params.get("key") or [] if columns is not None and k not in columns]
        return [("key", f"no column {name!r} reaches this node") for name in missing]

    def write(self, params: dict[str, Any], table: pa.Table, ctx: CompileContext) -> str:
        from ....datasets.tables import TablesDataset

        home = owners_folder(ctx)
        origin = dict(ctx.origin)
        author = origin.pop("author", "") or getpass.getuser()  # the run's owner
        message = params.get("message") or f"written by flow {origin.get('flow', '')}".strip()
        try:
            store = store_of(home, params["dataset"])
            if (store / "refs.json").is_file():
                raise NodeError(
                    f"dataset {params['dataset']!r} holds files, not tables: write to a "
                    "tables dataset"
                )
            store.mkdir(parents=True, exist_ok=True)
            lake = TablesDataset(store, allowed_root=home)
            try:
                made = lake.write(
                    params["table"],
                    table,
                    params.get("mode", "replace"),
                    key=params.get("key") or None,
                    message=message,
                    author=author,
                    origin=origin,
                )
            finally:
                lake.close()
        except DatasetError as error:
            raise dataset_error(params, error) from None
        return (
            f"wrote {table.num_rows} rows to {params['dataset']}.{params['table']} "
            f"(snapshot {made.number})"
        )
