"""Progress of one long DuckDB statement (an export's COPY): a thread asks the connection
how far the running query is (`query_progress()`, a percentage DuckDB tracks once its
progress bar is on, printing off) and reports it as rows done out of the rows expected."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

# Rows done, rows in all: called from the reporting thread while the statement runs, and
# once more from the caller's thread when it has finished.
Progress = Callable[[int, int], None]


def rows_done(percent: float, total: int) -> int | None:
    """`total`'s share `percent` (DuckDB's -1: nothing known yet) as a row count."""
    if percent < 0:
        return None
    return min(total, int(total * min(percent, 100.0) / 100.0))


SETTINGS = ("enable_progress_bar", "enable_progress_bar_print", "progress_bar_time")


def _track(connection: duckdb.DuckDBPyConnection) -> None:
    """Turn DuckDB's progress tracking on, without its printed bar."""
    connection.execute("SET enable_progress_bar = true")
    connection.execute("SET enable_progress_bar_print = false")
    connection.execute("SET progress_bar_time = 0")


def _untrack(connection: duckdb.DuckDBPyConnection) -> None:
    for name in SETTINGS:
        connection.execute(f"RESET {name}")


@contextmanager
def reported(
    connection: duckdb.DuckDBPyConnection,
    total: int,
    progress: Progress | None,
    every: float = 0.2,
) -> Iterator[None]:
    """While the body runs a statement on `connection`, call `progress(done, total)` every
    `every` seconds when the count grew (never going back)."""
    if progress is None:
        yield
        return
    _track(connection)
    finished = threading.Event()
    last = [0]

    def report() -> None:
        while not finished.wait(every):
            done = rows_done(connection.query_progress(), total)
            if done is not None and last[0] < done < total:
                last[0] = done
                progress(done, total)

    reporter = threading.Thread(target=report, name="export-progress", daemon=True)
    reporter.start()
    try:
        yield
    finally:
        finished.set()
        reporter.join()
        _untrack(connection)
