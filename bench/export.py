"""Excel export of a DataFrame shaped like user data (ints, floats with NaN, strings,
dates, a categorical): the writers Galilean could use, each in a fresh process (time to a
finished .xlsx, and the process's peak memory above the built frame).

Writers: pandas `to_excel` with openpyxl (the export before issue 11), openpyxl's
write_only workbook, xlsxwriter in constant_memory mode (rows streamed from DuckDB in
batches: the table's export when the excel extension is missing), polars `write_excel`
(xlsxwriter under the hood), and DuckDB's excel extension (`COPY ... (FORMAT xlsx)`, loaded from the
duckdb-extension-excel wheel) when it is installed.

Usage: python bench/export.py [--rows 100000] [--repeat 3]
Writes bench/results/export.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WRITERS = [
    "pandas+openpyxl",
    "openpyxl write_only",
    "xlsxwriter constant_memory (fallback)",
    "polars.write_excel",
    "duckdb excel extension (Galilean)",
]


def frame(rows: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    price = rng.normal(100, 30, rows)
    price[rng.random(rows) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "customer": [f"customer {i % 5000}" for i in range(rows)],
            "city": pd.Categorical(rng.choice(["Lyon", "Paris", "Nantes", "Lille"], rows)),
            "ordered": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365, rows), "D"),
            "quantity": rng.integers(1, 50, rows),
            "price": price,
            "discount": rng.random(rows).round(3),
            "note": [None if r < 0.3 else "delivered to the door" for r in rng.random(rows)],
            "returned": rng.random(rows) < 0.05,
            "score": rng.normal(0, 1, rows),
        }
    )


def write(writer: str, data: Any, target: Path) -> None:
    if writer == "pandas+openpyxl":
        data.to_excel(target, index=False, engine="openpyxl")
    elif writer == "openpyxl write_only":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append([str(c) for c in data.columns])
        for row in data.astype(object).where(data.notna(), None).itertuples(index=False):
            sheet.append(list(row))
        book.save(target)
    elif writer.startswith("xlsxwriter"):
        sys.path.insert(0, str(REPO / "extensions"))
        import duckdb

        from galilean_server.kernel.table_export import write_xlsx
        from galilean_server.kernel.table_query import Flat

        flat = Flat(data)
        cursor = duckdb.connect()
        cursor.register("frame", flat.frame)
        result = cursor.execute(f"SELECT {flat.select()} FROM frame")  # noqa: S608
        write_xlsx(result, flat, target, len(data), progress=lambda done: None)
    elif writer == "polars.write_excel":
        import polars as pl

        pl.from_pandas(data).write_excel(target)
    elif writer.startswith("duckdb excel extension"):
        import duckdb
        import duckdb_extension_excel

        path = next(Path(duckdb_extension_excel.__file__).parent.rglob("*.duckdb_extension"))
        connection = duckdb.connect()
        connection.execute(f"LOAD '{path}'")
        connection.register("frame", data)
        connection.execute(f"COPY frame TO '{target}' (FORMAT xlsx, HEADER true)")
    else:
        raise SystemExit(f"unknown writer {writer!r}")


def one(writer: str, rows: int) -> dict[str, float]:
    """Run in a fresh process: build the frame, write it, report seconds and peak MB."""
    data = frame(rows)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.xlsx"
        began = time.perf_counter()
        write(writer, data, target)
        seconds = time.perf_counter() - began
        import pandas as pd

        check = pd.read_excel(target, usecols=[0], engine="openpyxl") if rows <= 200_000 else None
        assert check is None or len(check) == rows, (writer, len(check))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    return {"seconds": seconds, "peak_mb": peak}


def profile_lines(rows: int) -> list[str]:
    """The table's Profile on the same frame: ydata-profiling in a child process (so that
    a cancel can stop it), from the request to the finished report."""
    import threading

    sys.path.insert(0, str(REPO / "extensions"))
    from galilean_server.kernel.table_profile import profile

    data = frame(rows)
    steps: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        done = profile(
            data,
            Path(tmp),
            "bench",
            lambda phase, _: steps.append((time.perf_counter() - began, phase)),
            threading.Event(),
        )
        seconds = time.perf_counter() - began
        size = Path(done["path"]).stat().st_size / 2**20
    first = {phase: at for at, phase in reversed(steps)}
    summarize = first.get("Summarize dataset", float("nan"))
    return [
        "",
        "## Profile",
        "",
        f"The table's Profile of the same {rows:,} rows (all rows, not minimal): a child",
        "process imports ydata-profiling, summarizes, renders the HTML report.",
        "",
        "| rows | total s | of which starting the child and importing s | report MB |",
        "| ---: | ---: | ---: | ---: |",
        f"| {rows:,} | {seconds:.1f} | {summarize:.1f} | {size:.1f} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(one(options.one, options.rows)))
        return
    results: dict[str, dict[str, float]] = {}
    for writer in WRITERS:
        runs = []
        for _ in range(options.repeat):
            done = subprocess.run(
                [sys.executable, __file__, "--one", writer, "--rows", str(options.rows)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
                print(f"{writer}: not available ({reason})", file=sys.stderr)
                break
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if runs:
            results[writer] = {key: min(r[key] for r in runs) for key in ("seconds", "peak_mb")}
            print(writer, results[writer], file=sys.stderr)
    fastest = min(r["seconds"] for r in results.values())
    lines = [
        "# Excel export of a DataFrame",
        "",
        f"{options.rows:,} rows x 10 columns (ints, floats with 10% NaN, strings, dates, a",
        "categorical, booleans, missing strings), each writer in a fresh process, best of",
        f"{options.repeat}. Seconds: from the frame in memory to a finished .xlsx. Peak MB:",
        "the process's peak resident memory above the built frame.",
        "",
        "| writer | seconds | ratio to the fastest | peak MB |",
        "| --- | ---: | ---: | ---: |",
    ]
    for writer, result in sorted(results.items(), key=lambda item: item[1]["seconds"]):
        lines.append(
            f"| {writer} | {result['seconds']:.2f} | {result['seconds'] / fastest:.1f}x | "
            f"{result['peak_mb']:.0f} |"
        )
    missing = [w for w in WRITERS if w not in results]
    if missing:
        lines += ["", "Not available here: " + ", ".join(missing) + "."]
    lines += profile_lines(options.rows)
    (REPO / "bench" / "results" / "export.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
