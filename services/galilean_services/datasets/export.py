"""Export one table of a `tables` dataset, as of a snapshot (the head by default), to CSV,
Parquet or Excel (xlsx) at a path in the owner's folder.

The rows go through DuckDB's COPY straight from the lake (Excel with DuckDB's excel
extension, loaded from its wheel: `duckdb_ext`), into a partial file beside the target
that is renamed over it only once complete (`flows.paths.written_atomically`, which also
refuses to write through a symlink): a kill -9 mid-export leaves the target as it was.
Progress: `progress(rows_done, rows_in_all)` while the COPY runs (export_progress.py),
and once more with all rows when the file is written, just before it takes the target's
name; the result says rows, bytes and seconds. A files dataset's labelled images export
to YOLO, COCO or VOC (converting between them) in labels/convert.py."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb

from .duckdb_ext import MissingExtension, load_extension
from .export_progress import Progress, reported
from .locate import STORES
from .model import Conflict, Invalid, NotFound, SnapshotStore
from .tables import TablesDataset

COPY_OPTIONS = {
    "csv": "FORMAT csv, HEADER true",
    "parquet": "FORMAT parquet",
    "xlsx": "FORMAT xlsx, HEADER true",
}
FORMATS = tuple(COPY_OPTIONS)
# A sheet holds 1,048,576 rows, the header being one of them.
EXCEL_MAX_ROWS = 1_048_575


@dataclass(frozen=True)
class Exported:
    path: str
    format: str
    table: str
    snapshot: int
    rows: int
    bytes: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def format_of(path: str, fmt: str | None) -> str:
    """The format asked for, or the one the path's suffix names."""
    chosen = fmt if fmt is not None else PurePosixPath(path).suffix.lstrip(".").lower()
    if chosen not in FORMATS:
        said = f"format {fmt!r}" if fmt is not None else f"the path's suffix {chosen!r}"
        raise Invalid(
            f"{said}: tables export to {', '.join(FORMATS)} (say it in `format` or by the "
            "path's suffix)",
            field="format",
        )
    return chosen


def check_relative(path: str) -> PurePosixPath:
    """A path inside the folder, relative to it, written plainly (no .., not absolute,
    not in the snapshot stores)."""
    relative = PurePosixPath(path)
    if not path.strip() or "\x00" in path or relative.is_absolute() or ".." in relative.parts:
        raise Invalid(
            f"{path!r}: a file inside your folder, relative to it (no .. and not absolute)",
            field="path",
        )
    if relative.parts[:1] == STORES.parts[:1]:
        raise Invalid(f"{path!r}: {STORES.parts[0]} holds the snapshot stores", field="path")
    return relative


def target_in(root: Path, path: str, overwrite: bool) -> Path:
    """Where `path` leads in `root` (symlinks followed: it may not leave `root`); Conflict
    when a file is there and `overwrite` is off."""
    folder = root.resolve()
    target = (folder / check_relative(path)).resolve()
    if not target.is_relative_to(folder) or target == folder:
        raise Invalid(f"{path!r} leads outside your folder", field="path")
    if target.is_dir():
        raise Invalid(f"{path!r} is a folder: name a file", field="path")
    if target.exists() and not overwrite:
        raise Conflict(f"{path!r} exists: set overwrite to replace it", field="path", item=path)
    return target


def _count(lake: TablesDataset, scan: str) -> int:
    row = lake.connection.execute(f"SELECT count(*) FROM {scan}").fetchone()  # noqa: S608
    return 0 if row is None else int(row[0])


def _refuse_oversized(fmt: str, rows: int) -> None:
    if fmt == "xlsx" and rows > EXCEL_MAX_ROWS:
        raise Invalid(
            f"format xlsx: a sheet holds {EXCEL_MAX_ROWS:,} rows and a header, the table has "
            f"{rows:,}: export it to csv or parquet",
            field="format",
        )


def _copy(lake: TablesDataset, scan: str, fmt: str, partial: Path) -> None:
    if fmt == "xlsx":
        try:
            load_extension(lake.connection, "excel")
        except MissingExtension as missing:
            raise Invalid(str(missing), field="format") from None
    literal = "'" + str(partial).replace("'", "''") + "'"
    # `scan` is the driver's FROM clause (quoted names), `literal` a quoted path.
    statement = f"COPY (SELECT * FROM {scan}) TO {literal} ({COPY_OPTIONS[fmt]})"  # noqa: S608
    try:
        lake.connection.execute(statement)
    except duckdb.Error as failed:
        reason = str(failed).splitlines()[0]
        raise Invalid(f"writing the {fmt} file failed: {reason}", field="path") from None


def _written(target: Path, root: Path, write: Callable[[Path], None]) -> None:
    """`write(partial)`, then the partial takes the target's name (flows/paths.py)."""
    from ..flows.issues import NodeError  # the flow engine's errors, named as ours here
    from ..flows.paths import written_atomically

    try:
        with written_atomically(target, root.resolve()) as partial:
            write(partial)
    except NodeError as refused:
        raise Invalid(str(refused), field="path") from None


def export_table(
    lake: TablesDataset,
    table: str,
    path: str,
    fmt: str | None = None,
    number: int | None = None,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Exported:
    """Write `table` as of snapshot `number` (None: the head) to `path` in the lake's
    folder (`lake.allowed_root`, the owner's), atomically."""
    started = clock()
    chosen = format_of(path, fmt)
    root = lake.allowed_root
    target = target_in(root, path, overwrite)
    snapshot = lake.head_or_fail().number if number is None else lake.get(number).number
    scan = lake.scan_sql(table, snapshot)
    rows = _count(lake, scan)
    _refuse_oversized(chosen, rows)

    def write(partial: Path) -> None:
        with reported(lake.connection, rows, progress):
            _copy(lake, scan, chosen, partial)
        if progress is not None:
            progress(rows, rows)

    _written(target, root, write)
    size = os.stat(target).st_size
    shown = target.relative_to(root.resolve()).as_posix()
    return Exported(shown, chosen, table, snapshot, rows, size, round(clock() - started, 3))


def _text(args: Mapping[str, Any], key: str) -> str:
    value = args.get(key)
    if not isinstance(value, str) or not value:
        raise Invalid(f"{key}: a non-empty text is required", field=key)
    return value


def export_request(
    store: SnapshotStore, args: Mapping[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    """The worker's `export` operation: {table, path, format?, snapshot?, overwrite?};
    `progress(done, total)`: rows (tables) or files (labelled images) written so far."""
    if not isinstance(store, TablesDataset):
        from .files import FilesDataset

        if isinstance(store, FilesDataset):
            from .labels.convert import export_files_dataset

            return export_files_dataset(store.work, store.store_root, args, progress)
        raise Invalid(
            "format: only tables and files datasets export",
            field="format",
        )
    number = args.get("snapshot")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
        raise Invalid("snapshot: a snapshot number", field="snapshot")
    overwrite = args.get("overwrite", False)
    if not isinstance(overwrite, bool):
        raise Invalid("overwrite: true or false", field="overwrite")
    fmt = None if args.get("format") is None else _text(args, "format")
    try:
        made = export_table(
            store,
            _text(args, "table"),
            _text(args, "path"),
            fmt,
            number,
            overwrite=overwrite,
            progress=progress,
        )
    except NotFound as missing:  # the driver names a snapshot `number`; the request `snapshot`
        field = "snapshot" if missing.field == "number" else missing.field
        raise NotFound(missing.message, field=field, item=missing.item) from None
    return made.to_json()
