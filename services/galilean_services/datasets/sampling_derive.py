"""A sample saved as a derived dataset: a strategy (sampling.py) draws rows from one table of
a tables dataset's snapshot, and they become the first snapshot of a new tables dataset in
the same folder, whose origin names the source snapshot, the strategy and its parameters
(lineage.py draws the `sampled` edge from it). Also the checks of a sample request, shared
by the service (before it records the new dataset) and its worker."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from galilean_services.datasets.locate import store_of
from galilean_services.datasets.model import Conflict, Invalid, NotFound, Snapshot
from galilean_services.datasets.sampling import (
    SamplerRegistry,
    SampleSource,
    check_draw,
    check_known_fields,
    check_params,
    default_registry,
)
from galilean_services.datasets.tables import TablesDataset
from galilean_services.datasets.tables_lake import columns_of
from galilean_services.datasets.tables_write import check_table_name

FIELDS = ("table", "snapshot", "strategy", "params", "into")


@dataclass(frozen=True)
class SampleRequest:
    table: str
    snapshot: int | None
    strategy: str
    params: dict[str, Any]
    into: str

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "snapshot": self.snapshot,
            "strategy": self.strategy,
            "params": self.params,
            "into": self.into,
        }


def parse_request(
    body: Mapping[str, Any], driver: str = "tables", registry: SamplerRegistry | None = None
) -> SampleRequest:
    """{table, snapshot?, strategy, params, into}, or Invalid naming the field."""
    if driver != "tables":
        raise Invalid("table: sampling works on tables datasets", field="table")
    check_known_fields(body, FIELDS)
    table = check_table_name(body.get("table"))
    snapshot, strategy, params, into = check_draw(body, registry)
    return SampleRequest(table, snapshot, strategy, params, into)


def draw(
    source: TablesDataset,
    request: SampleRequest,
    registry: SamplerRegistry | None = None,
) -> tuple[int, Any]:
    """The source snapshot's number and the sample's rows (a pyarrow Table)."""
    sampler = (registry or default_registry()).get(request.strategy)
    check_params(sampler, request.params)
    try:
        number = (
            source.head_or_fail() if request.snapshot is None else source.get(request.snapshot)
        ).number
    except NotFound as missing:
        raise NotFound(missing.message, field="snapshot", item=missing.item) from None
    relation = f"(SELECT * FROM {source.scan_sql(request.table, number)})"
    columns = dict(columns_of(source.connection, request.table, source.lake_version(number)))
    view = SampleSource(source.connection, relation, columns)
    try:
        rows = source.connection.execute(sampler.draw(view, request.params)).to_arrow_table()
    finally:
        view.close()
    return number, rows


def sample_into(
    source: TablesDataset,
    source_name: str,
    request: SampleRequest,
    author: str,
    registry: SamplerRegistry | None = None,
) -> Snapshot:
    """Draw the sample and write it as the first snapshot of the new dataset
    `request.into` beside `source`; Conflict if that dataset's store exists."""
    target = store_of(source.allowed_root, request.into, field="into")
    if target.exists():
        raise Conflict(f"a dataset named {request.into!r} exists already", field="into")
    number, rows = draw(source, request, registry)
    origin = {
        "sampled_from": source_name,
        "snapshot": str(number),
        "table": request.table,
        "strategy": request.strategy,
        "params": json.dumps(request.params, sort_keys=True),
    }
    message = f"{request.strategy} sample of {source_name} #{number}, table {request.table}"
    try:
        with TablesDataset(target, allowed_root=source.allowed_root) as made:
            return made.write(request.table, rows, message=message, author=author, origin=origin)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def run_sample(store: object, args: Mapping[str, Any]) -> dict[str, Any]:
    """The worker's `sample` operation: args {table, snapshot, strategy, params, into,
    source (the dataset's name), author} → the new dataset's head snapshot."""
    if not isinstance(store, TablesDataset):
        raise Invalid("table: sampling works on tables datasets", field="table")
    request = parse_request({name: args[name] for name in FIELDS if name in args})
    return sample_into(store, str(args["source"]), request, str(args["author"])).to_json()
