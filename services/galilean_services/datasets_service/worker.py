"""A dataset operation, executed in the execution plane as the dataset's owner: the
service writes one JSON request to stdin ({"op", "driver", "folder", "store", "args"}; the
folders relative to the working directory, which is the owner's folder) and reads one JSON
line back: {"ok": true, "result": ...} or {"ok": false, "error": {"kind", "message",
"field", "item"}}. Only the owner's folder is visible here (bubblewrap or a container)."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..datasets.drivers import open_driver
from ..datasets.model import Conflict, DatasetError, Invalid, NotFound, SnapshotStore


def inside(root: Path, relative: str | None, field: str) -> Path | None:
    """`relative` under `root`, symlinks resolved, never outside it."""
    if relative is None:
        return None
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise Invalid(f"{relative} is outside your folder", field=field)
    return path


def _snapshot(store: SnapshotStore, args: dict[str, Any]) -> Any:
    made = store.snapshot(args["message"], args["author"], args.get("origin") or {})
    return made.to_json()


def _retain(store: SnapshotStore, args: dict[str, Any]) -> Any:
    days = args.get("older_than_days")
    report = store.retain(
        keep_last=args.get("keep_last"),
        older_than=None if days is None else timedelta(days=days),
        now=datetime.now(UTC),
    )
    return {"removed": list(report.removed), "kept": list(report.kept)}


def _gc(store: SnapshotStore, _args: dict[str, Any]) -> Any:
    report = store.gc()
    return {"objects_removed": report.objects_removed, "bytes_freed": report.bytes_freed}


def report_progress(done: int, total: int) -> None:
    """One progress line, read by the service as the worker runs (operations.py)."""
    sys.stdout.write(json.dumps({"progress": {"done": done, "total": total}}) + "\n")
    sys.stdout.flush()


def _export(store: SnapshotStore, args: dict[str, Any]) -> Any:
    from ..datasets.export import export_request  # duckdb and the lake: only when asked

    return export_request(store, args, report_progress)


def _sample(store: SnapshotStore, args: dict[str, Any]) -> Any:
    from ..datasets.files import FilesDataset

    if isinstance(store, FilesDataset):  # labelled images: a new folder and dataset
        from ..datasets.labels.sampling import run_image_sample

        return run_image_sample(store.store_root, store.work, args)
    from ..datasets.sampling_derive import run_sample  # duckdb and the lake: only when asked

    return run_sample(store, args)


def _items(store: SnapshotStore, args: dict[str, Any]) -> Any:
    """A page of rows (tables) or of labelled images (files), by the driver."""
    from ..datasets.files import FilesDataset

    if isinstance(store, FilesDataset):
        from ..datasets.labels.ops import items_request as image_items  # only when asked

        return image_items(store.store_root, args)
    from ..datasets.table_items import items_request  # duckdb and the lake: only when asked

    return items_request(store, args)


def _stats(store: SnapshotStore, args: dict[str, Any]) -> Any:
    """Per-column statistics (tables) or counts per split and class (files)."""
    from ..datasets.files import FilesDataset

    if isinstance(store, FilesDataset):
        from ..datasets.labels.ops import stats_request as image_stats  # only when asked

        return image_stats(store.store_root, args)
    from ..datasets.table_stats import stats_request  # duckdb and the lake: only when asked

    return stats_request(store, args)


def _edit(store: SnapshotStore, args: dict[str, Any]) -> Any:
    """Labelled-image edits as a new snapshot; `from` paths lie in the owner's folder,
    the worker's working directory."""
    from ..datasets.files import FilesDataset
    from ..datasets.labels.edits import apply_edits  # Pillow and the layouts: only when asked

    if not isinstance(store, FilesDataset):
        raise Invalid("only a files dataset of labelled images has edits", field="edits")
    return apply_edits(store, args["edits"], args["author"], home=Path.cwd()).to_json()


OPERATIONS: dict[str, Callable[[SnapshotStore, dict[str, Any]], Any]] = {
    "snapshots": lambda s, _a: [snap.to_json() for snap in s.snapshots()],
    "head": lambda s, _a: None if (h := s.head()) is None else h.to_json(),
    "get": lambda s, a: s.get(a["number"]).to_json(),
    "snapshot": _snapshot,
    "diff": lambda s, a: s.diff(a["older"], a["newer"]),
    "restore": lambda s, a: s.restore(a["number"], a["author"]).to_json(),
    "tag": lambda s, a: s.tag(a["number"], a["tag"]).to_json(),
    "retain": _retain,
    "gc": _gc,
    "sample": _sample,
    "export": _export,
    "items": _items,
    "stats": _stats,
    "edit": _edit,
}


def execute(request: dict[str, Any], root: Path) -> Any:
    folder = inside(root, request.get("folder"), "folder")
    store = inside(root, request["store"], "store")
    assert store is not None
    op = request["op"]
    if op == "check":  # the folder a new files dataset names exists
        if folder is not None and not folder.is_dir():
            raise Invalid(f"{request['folder']} is not a folder in yours", field="folder")
        return None
    if op == "destroy":
        shutil.rmtree(store, ignore_errors=True)
        return None
    driver = open_driver(request["driver"], folder, store, root)
    return OPERATIONS[op](driver, request.get("args") or {})


def _kind(error: DatasetError) -> str:
    if isinstance(error, NotFound):
        return "not_found"
    if isinstance(error, Conflict):
        return "conflict"
    return "invalid"


def main() -> int:
    request = json.loads(sys.stdin.readline())
    try:
        reply: dict[str, Any] = {"ok": True, "result": execute(request, Path.cwd())}
    except DatasetError as exc:
        field = "folder" if exc.field == "work" else exc.field  # the service's name for it
        error = {"kind": _kind(exc), "message": exc.message, "field": field, "item": exc.item}
        reply = {"ok": False, "error": error}
    sys.stdout.write(json.dumps(reply, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
