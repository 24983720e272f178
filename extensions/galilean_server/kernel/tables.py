"""DataFrames shown as interactive tables whose rows stay in the kernel.

A DataFrame's output holds its shape, its column types and its first page only (the
notebook stays small, and says how many rows there are: nothing pretends a page is the
whole). The table in JupyterLab asks the kernel for other pages, sorted and filtered,
over a comm (`galilean.table`); the kernel answers with DuckDB over the DataFrame, so a
10M-row frame pages in milliseconds. Export writes CSV, Excel or Parquet next to the
notebook; profile writes a ydata-profiling report (on a stated sample for large frames).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

MIME = "application/vnd.galilean.table+json"
COMM_TARGET = "galilean.table"
PAGE = 50
KEEP_VIEWS = 64
PROFILE_SAMPLE = 100_000
EXCEL_MAX_ROWS = 1_048_575
OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
             "contains": "ILIKE", "is null": "IS NULL", "not null": "IS NOT NULL"}  # fmt: skip


class TableError(ValueError):
    pass


def _cell(value: Any) -> Any:
    """A JSON value for one cell (NaN and missing values are null)."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | pd.Timestamp):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


class Views:
    """The frames shown in this kernel, by view id (the most recent KEEP_VIEWS)."""

    def __init__(self) -> None:
        self._frames: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._duck = duckdb.connect()

    def add(self, frame: pd.DataFrame) -> str:
        view = uuid.uuid4().hex
        self._frames[view] = frame
        while len(self._frames) > KEEP_VIEWS:
            self._frames.popitem(last=False)
        return view

    def frame(self, view: str) -> pd.DataFrame:
        try:
            return self._frames[view]
        except KeyError:
            raise TableError("this table is no longer in the kernel: run its cell again") from None

    def bundle(self, frame: pd.DataFrame) -> dict[str, Any]:
        view = self.add(frame)
        columns = [{"name": str(c), "type": str(t)} for c, t in frame.dtypes.items()]
        head = frame.head(PAGE)
        return {
            "view": view,
            "comm": COMM_TARGET,
            "total": len(frame),
            "columns": columns,
            "rows": [[_cell(v) for v in row] for row in head.itertuples(index=False)],
            "page_size": PAGE,
        }

    def _where(self, frame: pd.DataFrame, filters: list[dict[str, Any]]) -> tuple[str, list[Any]]:
        parts: list[str] = []
        values: list[Any] = []
        names = {str(c) for c in frame.columns}
        for item in filters:
            column, op = str(item.get("column", "")), str(item.get("op", "="))
            if column not in names:
                raise TableError(f"filter: no column {column!r}")
            if op not in OPERATORS:
                raise TableError(f"filter: unknown operator {op!r}")
            quoted = '"' + column.replace('"', '""') + '"'
            if op in ("is null", "not null"):
                parts.append(f"{quoted} {OPERATORS[op]}")
            elif op == "contains":
                parts.append(f"CAST({quoted} AS VARCHAR) ILIKE ?")
                values.append(f"%{item.get('value', '')}%")
            else:
                parts.append(f"{quoted} {OPERATORS[op]} ?")
                values.append(item.get("value"))
        return (" WHERE " + " AND ".join(parts)) if parts else "", values

    def _order(self, frame: pd.DataFrame, sort: list[dict[str, Any]]) -> str:
        names = {str(c) for c in frame.columns}
        keys = []
        for item in sort:
            column = str(item.get("column", ""))
            if column not in names:
                raise TableError(f"sort: no column {column!r}")
            direction = "DESC" if item.get("descending") else "ASC"
            keys.append('"' + column.replace('"', '""') + f'" {direction} NULLS LAST')
        return (" ORDER BY " + ", ".join(keys)) if keys else ""

    def _query(
        self, view: str, request: dict[str, Any]
    ) -> tuple[duckdb.DuckDBPyConnection, str, str, list[Any]]:
        """A cursor over the view's frame, the filtered query, its ORDER BY, the values."""
        frame = self.frame(view)
        where, values = self._where(frame, list(request.get("filter") or []))
        order = self._order(frame, list(request.get("sort") or []))
        cursor = self._duck.cursor()
        cursor.register("frame", frame)
        # Columns are quoted identifiers checked against the frame; values are bound.
        return cursor, f"SELECT * FROM frame{where}", order, values  # noqa: S608

    def page(self, request: dict[str, Any]) -> dict[str, Any]:
        offset = max(0, int(request.get("offset", 0)))
        limit = min(1000, max(1, int(request.get("limit", PAGE))))
        view = str(request["view"])
        cursor, query, order, values = self._query(view, request)
        try:
            if request.get("filter"):  # counting needs no sorting
                found = cursor.execute(f"SELECT COUNT(*) FROM ({query})", values).fetchone()  # noqa: S608
                total = int(found[0]) if found else 0
            else:
                total = len(self.frame(view))
            page = f"{query}{order} LIMIT {limit} OFFSET {offset}"
            rows = cursor.execute(page, values).fetchall()
        except duckdb.Error as exc:
            raise TableError(str(exc).splitlines()[0]) from None
        finally:
            cursor.close()
        return {"rows": [[_cell(v) for v in row] for row in rows], "offset": offset,
                "total": total}  # fmt: skip

    def export(self, request: dict[str, Any], folder: Path) -> dict[str, Any]:
        fmt = str(request.get("format", "csv"))
        if fmt not in ("csv", "xlsx", "parquet"):
            raise TableError(f"export: format {fmt!r}: use csv, xlsx or parquet")
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(request.get("name") or "table"))[:64]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.{fmt}"
        cursor, query, order, values = self._query(str(request["view"]), request)
        query += order
        try:
            if fmt == "xlsx":
                frame = cursor.execute(query, values).df()
                if len(frame) > EXCEL_MAX_ROWS:
                    raise TableError(
                        f"export: Excel holds {EXCEL_MAX_ROWS} rows; use CSV or Parquet"
                    )
                partial = target.with_suffix(".partial.xlsx")
                frame.to_excel(partial, index=False)
            else:
                partial = target.with_suffix(f".partial.{fmt}")
                literal = str(partial).replace("'", "''")
                cursor.execute(f"COPY ({query}) TO '{literal}' (FORMAT {fmt})", values)
            partial.replace(target)
        except duckdb.Error as exc:
            raise TableError(str(exc).splitlines()[0]) from None
        finally:
            cursor.close()
        return {"path": str(target), "format": fmt}

    def profile(self, request: dict[str, Any], folder: Path) -> dict[str, Any]:
        from ydata_profiling import ProfileReport

        frame = self.frame(str(request["view"]))
        sample = (
            frame if len(frame) <= PROFILE_SAMPLE else frame.sample(PROFILE_SAMPLE, random_state=0)
        )
        title = (
            f"{len(frame):,} rows"
            if len(sample) == len(frame)
            else f"a random sample of {len(sample):,} of {len(frame):,} rows"
        )
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"profile-{str(request['view'])[:8]}.html"
        ProfileReport(sample, title=f"Profile of {title}", minimal=len(frame) > PROFILE_SAMPLE,
                      progress_bar=False).to_file(target)  # fmt: skip
        return {"path": str(target), "sampled": len(sample) != len(frame), "rows": len(sample)}


VIEWS = Views()


def handle(message: dict[str, Any], folder: Path) -> dict[str, Any]:
    """One request from the table in JupyterLab; errors come back as {"error": ...}."""
    action = message.get("action")
    try:
        if action == "page":
            return {"ok": True, **VIEWS.page(message)}
        if action == "export":
            return {"ok": True, **VIEWS.export(message, folder)}
        if action == "profile":
            return {"ok": True, **VIEWS.profile(message, folder)}
        raise TableError(f"unknown action {action!r}")
    except (TableError, KeyError, TypeError, ValueError) as exc:
        return {"ok": False, "error": str(exc)}


def register(ipython: Any) -> None:
    """DataFrames display as Galilean tables (and plain text for other front ends); the
    comm target answers the table's requests."""

    def formatter(frame: pd.DataFrame, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {MIME: VIEWS.bundle(frame)}

    ipython.display_formatter.mimebundle_formatter.for_type(pd.DataFrame, formatter)

    def target(comm: Any, open_message: dict[str, Any]) -> None:
        @comm.on_msg
        def _reply(message: dict[str, Any]) -> None:
            data = message["content"]["data"]
            answer = handle(data, Path.cwd() / "exports")
            comm.send({"request": data.get("request"), **answer})

    from comm import get_comm_manager

    get_comm_manager().register_target(COMM_TARGET, target)
