"""Export a table's rows (filtered and sorted as shown) to CSV, Parquet or Excel.

CSV and Parquet are DuckDB's COPY, and so is Excel when DuckDB's excel extension is
installed (the duckdb-extension-excel wheel, loaded by its path: bench/export.py measured
it 15x faster than pandas' `to_excel` with openpyxl for 100k rows). Without it, rows
stream from DuckDB in batches into xlsxwriter in constant_memory mode (3x faster, flat
memory), with progress between batches. A cancel interrupts DuckDB (the caller calls
`cursor.interrupt()`) or stops between batches. A file is written as
`<name>.partial.<ext>` and renamed when complete, so an export never leaves a
half-written file under the final name.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from .table_query import Flat, TableError

EXCEL_MAX_ROWS = 1_048_575
BATCH = 10_000
FORMATS = ("csv", "xlsx", "parquet")


class Cancelled(Exception):
    pass


def _excel_path() -> Path | None:
    try:
        import duckdb_extension_excel
    except ImportError:
        return None
    folder = Path(duckdb_extension_excel.__file__).parent
    return next(folder.rglob(f"v{duckdb.__version__}/excel.duckdb_extension"), None)


EXCEL_EXTENSION = _excel_path()


def excel_extension(connection: duckdb.DuckDBPyConnection) -> bool:
    """Load DuckDB's excel extension from its wheel; False when it is not installed."""
    if EXCEL_EXTENSION is None:
        return False
    try:
        connection.execute("LOAD '" + str(EXCEL_EXTENSION).replace("'", "''") + "'")
    except duckdb.Error:
        return False
    return True


def target_path(folder: Path, name: Any, fmt: str) -> Path:
    if fmt not in FORMATS:
        raise TableError(f"export: format {fmt!r}: use csv, xlsx or parquet")
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", str(name or "table"))[:64].strip(".") or "table"
    return folder / f"{clean}.{fmt}"


def _writer(sheet: Any, kind: str, formats: dict[str, Any]) -> Callable[[int, int, Any], None]:
    """A writer for one column's cells (xlsxwriter's generic `write` guesses per cell)."""

    def cell(row: int, col: int, value: Any) -> None:
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            if not (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
                sheet.write_number(row, col, value)
        elif isinstance(value, decimal.Decimal):
            sheet.write_number(row, col, float(value))
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, value, formats["datetime"])
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, formats["date"])
        else:
            sheet.write_string(row, col, str(value))

    def number(row: int, col: int, value: Any) -> None:
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, value)
        else:
            cell(row, col, value)

    def text(row: int, col: int, value: Any) -> None:
        sheet.write_string(row, col, value) if isinstance(value, str) else cell(row, col, value)

    return number if kind == "number" else text if kind == "text" else cell


def write_xlsx(
    result: duckdb.DuckDBPyConnection,
    flat: Flat,
    target: Path,
    total: int,
    progress: Callable[[int], None],
    cancelled: threading.Event | None = None,
) -> None:
    """Stream `result`'s rows (index levels, then columns) into a new workbook `target`."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": True,
            "remove_timezone": True,
            "strings_to_urls": False,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
        },
    )
    try:
        sheet = book.add_worksheet("table")
        bold = book.add_format({"bold": True})
        formats = {
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        shown = flat.index + flat.columns
        for col, column in enumerate(shown):
            sheet.write_string(0, col, column["name"], bold)
        writers = [_writer(sheet, c["kind"], formats) for c in shown]
        sheet.freeze_panes(1, len(flat.index))
        row = 1
        while True:
            if cancelled is not None and cancelled.is_set():
                raise Cancelled
            batch = result.fetchmany(BATCH)
            if not batch:
                break
            for values in batch:
                for col, value in enumerate(values):
                    if value is not None:
                        writers[col](row, col, value)
                row += 1
            progress(min(row - 1, total))
    finally:
        book.close()


def export(
    cursor: duckdb.DuckDBPyConnection,
    flat: Flat,
    where: str,
    order: str,
    values: list[Any],
    total: int,
    target: Path,
    progress: Callable[[int], None],
    cancelled: threading.Event | None = None,
) -> None:
    """Write the frame's rows (filtered by `where`, sorted by `order`, with bound `values`)
    to `target` (its suffix names the format) via a partial file."""
    # Internal column names (checked in table_query) and the generated path only.
    query = f"SELECT {flat.select()} FROM frame{where}{order}"  # noqa: S608
    fmt = target.suffix.lstrip(".")
    partial = target.with_suffix(f".partial.{fmt}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "xlsx":
            if total > EXCEL_MAX_ROWS:
                raise TableError(
                    f"export: Excel holds {EXCEL_MAX_ROWS:,} rows, this table has {total:,}: "
                    "use CSV or Parquet"
                )
            if excel_extension(cursor):
                literal = str(partial).replace("'", "''")
                cursor.execute(f"COPY ({query}) TO '{literal}' (FORMAT xlsx, HEADER true)", values)
                progress(total)
            else:
                result = cursor.execute(query, values)
                write_xlsx(result, flat, partial, total, progress, cancelled)
        else:
            literal = str(partial).replace("'", "''")
            cursor.execute(f"COPY ({query}) TO '{literal}' (FORMAT {fmt})", values)
            progress(total)
        if cancelled is not None and cancelled.is_set():
            raise Cancelled
        partial.replace(target)
    except duckdb.InterruptException:
        raise Cancelled from None
    except duckdb.Error as exc:
        raise TableError(str(exc).splitlines()[0]) from None
    finally:
        partial.unlink(missing_ok=True)
