"""Sampling a labelled image set with the same strategies as tables (datasets/sampling.py:
random, stratified, threshold, and any third party's): a snapshot's items become rows
(id, split, label — the class with most boxes —, labels, boxes, score, width, height) in
DuckDB, the strategy picks rows, and the picked items are written in the source's layout
to a new folder of the owner's (atomically, labels/convert.py) that becomes the first
snapshot of a new files dataset whose origin names the source snapshot, the strategy and
its parameters — the `sampled` edge of the lineage."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..locate import store_of
from ..model import Conflict, Invalid, NotFound, Snapshot
from ..sampling import (
    SamplerRegistry,
    SampleSource,
    check_draw,
    check_known_fields,
    check_params,
    default_registry,
)
from .index import read_snapshot
from .model import Item, Labelled

FIELDS = ("snapshot", "strategy", "params", "into", "folder")
COLUMNS = {
    "id": "VARCHAR",
    "split": "VARCHAR",
    "label": "VARCHAR",
    "labels": "VARCHAR[]",
    "boxes": "INTEGER",
    "score": "DOUBLE",
    "width": "INTEGER",
    "height": "INTEGER",
}


@dataclass(frozen=True)
class ImageSampleRequest:
    snapshot: int | None
    strategy: str
    params: dict[str, Any]
    into: str
    folder: str

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot,
            "strategy": self.strategy,
            "params": self.params,
            "into": self.into,
            "folder": self.folder,
        }


def parse_image_request(
    body: Mapping[str, Any], registry: SamplerRegistry | None = None
) -> ImageSampleRequest:
    """{snapshot?, strategy, params, into, folder?}; `folder` (relative to the owner's
    folder) defaults to `samples/<into>`. Invalid names the field."""
    check_known_fields(body, FIELDS)
    snapshot, strategy, params, into = check_draw(body, registry)
    folder = body.get("folder", f"samples/{into}")
    if not isinstance(folder, str) or not folder.strip() or len(folder) > 1024:
        raise Invalid("folder: a folder of yours for the sample's files", field="folder")
    return ImageSampleRequest(snapshot, strategy, params, into, folder)


def dominant_label(item: Item) -> str | None:
    """The class with most boxes in the image (ties: the first by name); None unlabelled."""
    counts = Counter(box.label for box in item.boxes)
    if not counts:
        return None
    return min(counts, key=lambda label: (-counts[label], label))


def item_rows(labelled: Labelled) -> Any:
    import pyarrow as pa

    items = labelled.items
    return pa.table(
        {
            "id": [item.id for item in items],
            "split": [item.split for item in items],
            "label": [dominant_label(item) for item in items],
            "labels": pa.array([list(item.labels) for item in items], pa.list_(pa.string())),
            "boxes": pa.array([len(item.boxes) for item in items], pa.int32()),
            "score": pa.array([item.score for item in items], pa.float64()),
            "width": pa.array([item.width for item in items], pa.int32()),
            "height": pa.array([item.height for item in items], pa.int32()),
        }
    )


def draw_items(
    labelled: Labelled,
    strategy: str,
    params: Mapping[str, Any],
    registry: SamplerRegistry | None = None,
) -> list[str]:
    """The ids of the items the strategy keeps, in the set's order."""
    import duckdb

    sampler = (registry or default_registry()).get(strategy)
    check_params(sampler, params)
    connection = duckdb.connect()
    try:
        connection.register("galilean_items", item_rows(labelled))
        view = SampleSource(connection, "(SELECT * FROM galilean_items)", dict(COLUMNS))
        try:
            picked = connection.execute(sampler.draw(view, params)).fetch_arrow_table()
            kept = set(picked.column("id").to_pylist())
        finally:
            view.close()
    finally:
        connection.close()
    return [item.id for item in labelled.items if item.id in kept]


def sample_images(
    store: Path,
    work: Path,
    source_name: str,
    request: ImageSampleRequest,
    author: str,
    registry: SamplerRegistry | None = None,
) -> Snapshot:
    """Draw the sample and make it the first snapshot of the files dataset
    `request.into` over the new folder `request.folder`; Conflict if either exists."""
    from ..files import FilesDataset
    from .convert import _target, export_labelled, owner_folder

    root = owner_folder(store)
    target_store = store_of(root, request.into, field="into")
    if target_store.exists():
        raise Conflict(f"a dataset named {request.into!r} exists already", field="into")
    try:
        folder = _target(root, work, request.folder)
    except Invalid as bad:
        raise Invalid(bad.message, field="folder", item=request.folder) from None
    if folder.exists() or folder.is_symlink():
        raise Conflict(f"{request.folder!r} exists: choose a new folder", field="folder")
    try:
        source, labelled = read_snapshot(store, request.snapshot)
    except NotFound as missing:
        raise NotFound(missing.message, field="snapshot", item=missing.item) from None
    kept = draw_items(labelled, request.strategy, request.params, registry)
    export_labelled(source, folder, labelled.format, source_format=labelled.format, only=kept)
    origin = {
        "sampled_from": source_name,
        "snapshot": str(source.number),
        "strategy": request.strategy,
        "params": json.dumps(request.params, sort_keys=True),
    }
    message = f"{request.strategy} sample of {source_name} #{source.number}: {len(kept)} images"
    try:
        return FilesDataset(folder, target_store).snapshot(message, author, origin)
    except BaseException:
        shutil.rmtree(target_store, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise


def run_image_sample(store: Path, work: Path, args: Mapping[str, Any]) -> dict[str, Any]:
    """The worker's `sample` of a files dataset: args {snapshot, strategy, params, into,
    folder, source (the dataset's name), author} → the new dataset's first snapshot."""
    request = parse_image_request({name: args[name] for name in FIELDS if name in args})
    made = sample_images(store, work, str(args["source"]), request, str(args["author"]))
    return made.to_json()
