"""DataFrames shown as interactive tables whose rows stay in the kernel.

A DataFrame's output holds its shape, its index and column labels and types, and its
first page only (the notebook stays small, and says how many rows there are: nothing
pretends a page is the whole). The table in JupyterLab asks the kernel for other pages,
sorted and filtered, over a comm (`galilean.table`); the kernel answers with DuckDB over
the frame flattened with its index levels (table_query.py), so a 10M-row frame pages in
milliseconds. Export (table_export.py) and profile (table_profile.py) are long: they run
in a worker thread, send progress on the comm, and stop on a `cancel` request (ipykernel
reads comm messages one at a time, so the handler must return for a cancel to be read).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .table_export import Cancelled, export, target_path
from .table_profile import ProfileCancelled, profile
from .table_query import Flat, TableError

__all__ = ["COMM_TARGET", "MIME", "TableError", "Views", "handle", "register"]

MIME = "application/vnd.galilean.table+json"
COMM_TARGET = "galilean.table"
PAGE = 50
KEEP_VIEWS = 64
KEEP_FLAT = 4  # flattened copies kept for paging (the most recently used)
PROGRESS_EVERY = 0.5  # seconds between progress messages of a running job
Send = Callable[[dict[str, Any]], None]


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
        self._flat: OrderedDict[str, Flat] = OrderedDict()
        self._lock = threading.Lock()
        self._duck = duckdb.connect()

    def add(self, frame: pd.DataFrame) -> str:
        view = uuid.uuid4().hex
        with self._lock:
            self._frames[view] = frame
            while len(self._frames) > KEEP_VIEWS:
                self._frames.popitem(last=False)
        return view

    def frame(self, view: str) -> pd.DataFrame:
        try:
            return self._frames[view]
        except KeyError:
            raise TableError("this table is no longer in the kernel: run its cell again") from None

    def flat(self, view: str) -> Flat:
        with self._lock:
            found = self._flat.get(view)
            if found is not None:
                self._flat.move_to_end(view)
                return found
        flat = Flat(self.frame(view))
        with self._lock:
            self._flat[view] = flat
            while len(self._flat) > KEEP_FLAT:
                self._flat.popitem(last=False)
        return flat

    def bundle(self, frame: pd.DataFrame) -> dict[str, Any]:
        view = self.add(frame)
        meta = Flat(frame.iloc[:0]).meta()  # labels and types without copying the rows
        head = Flat(frame.head(PAGE)).frame
        return {
            "view": view,
            "comm": COMM_TARGET,
            "total": len(frame),
            **meta,
            "rows": [[_cell(v) for v in row] for row in head.itertuples(index=False)],
            "page_size": PAGE,
            "precision": int(pd.get_option("display.precision")),
        }

    def query(
        self, request: dict[str, Any]
    ) -> tuple[duckdb.DuckDBPyConnection, Flat, str, str, list[Any]]:
        """A cursor over the view's flattened frame, its WHERE, ORDER BY and bound values."""
        flat = self.flat(str(request["view"]))
        filters, sort = request.get("filter") or [], request.get("sort") or []
        if not isinstance(filters, list) or not isinstance(sort, list):
            raise TableError("filter and sort are lists")
        where, values = flat.where(filters)
        order = flat.order(sort)
        cursor = self._duck.cursor()
        cursor.register("frame", flat.frame)
        return cursor, flat, where, order, values

    def count(
        self, cursor: duckdb.DuckDBPyConnection, flat: Flat, where: str, values: list[Any]
    ) -> int:
        if not where:  # counting needs no query
            return len(flat.frame)
        found = cursor.execute(f"SELECT COUNT(*) FROM frame{where}", values).fetchone()  # noqa: S608
        return int(found[0]) if found else 0

    def page(self, request: dict[str, Any]) -> dict[str, Any]:
        offset = max(0, int(request.get("offset", 0)))
        limit = min(1000, max(1, int(request.get("limit", PAGE))))
        cursor, flat, where, order, values = self.query(request)
        try:
            total = self.count(cursor, flat, where, values)
            # Internal names only (table_query), values bound, limit and offset ints.
            page = f"SELECT * FROM frame{where}{order} LIMIT {limit} OFFSET {offset}"  # noqa: S608
            rows = cursor.execute(page, values).fetchall()
        except duckdb.Error as exc:
            raise TableError(str(exc).splitlines()[0]) from None
        finally:
            cursor.close()
        return {"rows": [[_cell(v) for v in row] for row in rows], "offset": offset, "total": total}


VIEWS = Views()


class Job:
    """A long request running in a worker thread; `cancel` stops it."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.cursor: duckdb.DuckDBPyConnection | None = None

    def cancel(self) -> None:
        self.cancelled.set()
        if self.cursor is not None:
            self.cursor.interrupt()


JOBS: dict[str, Job] = {}


def _export(message: dict[str, Any], folder: Path, job: Job, send: Send) -> dict[str, Any]:
    fmt = str(message.get("format", "csv"))
    target = target_path(folder, message.get("name"), fmt)
    cursor, flat, where, order, values = VIEWS.query(message)
    job.cursor = cursor
    try:
        total = VIEWS.count(cursor, flat, where, values)
        send({"progress": {"phase": f"Writing {total:,} rows", "done": 0, "total": total}})
        last = [time.monotonic()]

        def progress(done: int) -> None:
            if time.monotonic() - last[0] >= PROGRESS_EVERY:
                last[0] = time.monotonic()
                send(
                    {"progress": {"phase": f"Writing {total:,} rows", "done": done, "total": total}}
                )

        export(cursor, flat, where, order, values, total, target, progress, job.cancelled)
    finally:
        job.cursor = None
        cursor.close()
    return {"path": str(target), "format": fmt, "rows": total}


def _profile(message: dict[str, Any], folder: Path, job: Job, send: Send) -> dict[str, Any]:
    view = str(message["view"])
    frame = VIEWS.frame(view)

    def progress(phase: str, percent: int | None) -> None:
        send({"progress": {"phase": phase, "percent": percent}})

    send({"progress": {"phase": "Starting", "percent": None}})
    return profile(frame, folder, f"profile-{view[:8]}", progress, job.cancelled)


def _run(key: str, work: Callable[[Job, Send], dict[str, Any]], job: Job, send: Send) -> None:
    try:
        answer: dict[str, Any] = {"ok": True, **work(job, send)}
    except (Cancelled, ProfileCancelled):
        answer = {"ok": False, "cancelled": True, "error": "cancelled"}
    except (TableError, KeyError, TypeError, ValueError, OSError) as exc:
        answer = {"ok": False, "error": str(exc)}
    finally:
        JOBS.pop(key, None)
    send(answer)


def handle(
    message: dict[str, Any], folder: Path, send: Send | None = None, channel: str = ""
) -> dict[str, Any] | None:
    """One request from the table in JupyterLab; errors come back as {"error": ...}.

    `export` and `profile` run in a worker thread when `send` is given: they send
    {"progress": ...} messages, then the answer, and this returns None."""
    action = message.get("action")
    try:
        if action == "page":
            return {"ok": True, **VIEWS.page(message)}
        if action == "cancel":
            job = JOBS.get(f"{channel}:{message.get('job')}")
            if job is not None:
                job.cancel()
            return {"ok": True, "cancelled": job is not None}
        if action in ("export", "profile"):
            run = _export if action == "export" else _profile
            job = Job()
            if send is None:  # answer when done
                sent: list[dict[str, Any]] = []
                _run("", lambda j, s: run(message, folder, j, s), job, sent.append)
                return sent[-1]
            key = f"{channel}:{message.get('request')}"
            JOBS[key] = job
            worker = threading.Thread(
                target=_run,
                args=(key, lambda j, s: run(message, folder, j, s), job, send),
                name=f"galilean-table-{action}",
                daemon=True,
            )
            worker.start()
            return None
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
            request = data.get("request")

            def send(answer: dict[str, Any]) -> None:
                comm.send({"request": request, **answer})

            answer = handle(data, Path.cwd() / "exports", send, channel=comm.comm_id)
            if answer is not None:
                send(answer)

    from comm import get_comm_manager

    get_comm_manager().register_target(COMM_TARGET, target)
