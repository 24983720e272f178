"""The datasets `tables` driver (DuckLake, SQLite catalog) against DVC on one table, in
one run: a generated Parquet table shaped like real data (ids, timestamps, categories,
floats, text), loaded as snapshot 1; then 1% of its rows, scattered, are updated (an
upsert by id) as snapshot 2. Measured: the snapshot's time and the extra disk it took
(data files + catalog), the row-level diff of the change, the same diff with per-column
statistics, and a time-travel read. DVC (from its own virtual environment under /tmp,
made when missing with pip install dvc) snapshots the rewritten whole file with
`dvc add`; its extra disk is the growth of its cache.

Usage: python bench/datasets_tables.py [--rows 15000000] [--no-dvc]
Writes bench/results/datasets_tables.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services"))

from galilean_services.datasets.tables import TablesDataset  # noqa: E402

RESULTS = REPO / "bench" / "results" / "datasets_tables.md"
DVC_VENV = Path(tempfile.gettempdir()) / "galilean-bench-dvc"
MIB = 1 << 20


@dataclass
class Row:
    measure: str
    galilean: str
    dvc: str
    goal: str


GENERATE = """
COPY (
  SELECT range AS id,
         TIMESTAMP '2024-01-01' + to_seconds((hash(range) % 31536000)::BIGINT) AS happened,
         ['north','south','east','west','centre'][(1 + hash(range * 7) % 5)::BIGINT] AS region,
         'category_' || (hash(range * 3) % 40)::VARCHAR AS category,
         (hash(range * 11) % 1000000) / 100.0 AS amount,
         (hash(range * 13) % 1000) / 1000.0 AS score,
         md5(range::VARCHAR) || ' ' || md5((range * 17)::VARCHAR) AS note
  FROM range({rows})
) TO '{path}' (FORMAT parquet)
"""

CHANGE = """
COPY (
  SELECT id, happened, region, category, amount + 1 AS amount, score, note || ' (fixed)' AS note
  FROM read_parquet('{source}') WHERE hash(id * 31) % 100 = 0
) TO '{path}' (FORMAT parquet)
"""

REWRITE = """
COPY (
  SELECT id, happened, region, category,
         CASE WHEN hash(id * 31) % 100 = 0 THEN amount + 1 ELSE amount END AS amount, score,
         CASE WHEN hash(id * 31) % 100 = 0 THEN note || ' (fixed)' ELSE note END AS note
  FROM read_parquet('{source}') ORDER BY id
) TO '{path}' (FORMAT parquet)
"""


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def timed(action: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()  # type: ignore[operator]
    return time.perf_counter() - started, result


def galilean(root: Path, source: Path, change: Path) -> dict[str, float]:
    store = root / "lake"
    with TablesDataset(store, allowed_root=root) as lake:
        load, _ = timed(lambda: lake.write("events", source, key=["id"], author="bench"))
        before = folder_bytes(store)
        snap, _ = timed(lambda: lake.write("events", change, "upsert", key=["id"], author="bench"))
        extra = folder_bytes(store) - before
        row_diff, found = timed(lambda: lake.diff(1, 2, stats=False))
        counts = found["tables"]["events"]["counts"]  # type: ignore[index]
        full_diff, _ = timed(lambda: lake.diff(1, 2))
        travel_sql = f"SELECT count(*), sum(amount) FROM {lake.scan_sql('events', 1)}"  # noqa: S608
        travel, _ = timed(lambda: lake.connection.execute(travel_sql).fetchone())
    return {
        "load": load,
        "snapshot": snap,
        "extra": extra,
        "row_diff": row_diff,
        "full_diff": full_diff,
        "travel": travel,
        "changed": counts["changed"],
        "added": counts["added"],
    }


def dvc_ready() -> Path | None:
    dvc = DVC_VENV / "bin" / "dvc"
    if not dvc.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(DVC_VENV)], check=True)
            pip = [str(DVC_VENV / "bin" / "pip"), "install", "-q", "dvc"]
            subprocess.run(pip, check=True, timeout=900)
        except (subprocess.SubprocessError, OSError) as error:
            print(f"DVC did not install: {error}", file=sys.stderr)
            return None
    return dvc


def dvc_run(dvc: Path, repo: Path, *arguments: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(dvc), *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**os.environ, "DVC_NO_ANALYTICS": "1"},
    )
    return time.perf_counter() - started


def with_dvc(dvc: Path, root: Path, source: Path) -> dict[str, float]:
    repo = root / "dvc"
    repo.mkdir()
    dvc_run(dvc, repo, "init", "--no-scm", "-q")
    dvc_run(dvc, repo, "config", "core.analytics", "false")
    table = repo / "events.parquet"
    shutil.copyfile(source, table)
    dvc_run(dvc, repo, "add", "-q", "events.parquet")
    cache = repo / ".dvc" / "cache"
    before = folder_bytes(cache)
    rewritten = root / "rewritten.parquet"
    rewrite, _ = timed(lambda: duckdb.execute(REWRITE.format(source=source, path=rewritten)))
    table.unlink()
    shutil.move(rewritten, table)
    snap = dvc_run(dvc, repo, "add", "-q", "events.parquet")
    return {"snapshot": snap, "rewrite": rewrite, "extra": folder_bytes(cache) - before}


def disk(value: float, size: int) -> str:
    return f"{value / MIB:.1f} MiB ({100 * value / size:.2f}%)"


def table_rows(size: int, ours: dict[str, float], dvc: dict[str, float] | None) -> list[Row]:
    dvc_snapshot = dvc_disk = "not run"
    if dvc is not None:
        dvc_snapshot = f"{dvc['snapshot']:.2f} s (+ {dvc['rewrite']:.2f} s to rewrite the file)"
        dvc_disk = disk(dvc["extra"], size)
    changes = f"{int(ours['changed'])} changed, {int(ours['added'])} added"
    return [
        Row("load the table (snapshot 1)", f"{ours['load']:.2f} s", "", ""),
        Row("1% scattered update → snapshot", f"{ours['snapshot']:.2f} s", dvc_snapshot, "≤ 2 s"),
        Row("extra disk for that snapshot", disk(ours["extra"], size), dvc_disk, "≤ 2%"),
        Row(
            f"row-level diff ({changes})",
            f"{ours['row_diff']:.2f} s",
            "none (whole files)",
            "≤ 1 s",
        ),
        Row("diff with per-column statistics", f"{ours['full_diff']:.2f} s", "", ""),
        Row("time-travel aggregate over snapshot 1", f"{ours['travel']:.2f} s", "", ""),
    ]


def write_results(args: argparse.Namespace, size: int, rows: list[Row]) -> None:
    lines = [
        "# Datasets `tables` driver (DuckLake) vs DVC",
        "",
        f"Table: {args.rows:,} rows, {size / MIB:.0f} MiB of Parquet (id, timestamp, region, "
        "category, two floats, text); change: an upsert of 1% of rows chosen by a hash of the "
        f"id (scattered over every file). DuckDB {duckdb.__version__}, SQLite catalog, "
        f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the end: other "
        "jobs share them). Galilean times are inside the operation (lake open).",
        "",
        "| measure | Galilean (DuckLake) | DVC | goal |",
        "|---|---|---|---|",
        *(f"| {r.measure} | {r.galilean} | {r.dvc} | {r.goal} |" for r in rows),
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=15_000_000)
    parser.add_argument("--no-dvc", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="galilean-bench-tables-") as folder:
        root = Path(folder)
        source, change = root / "events.parquet", root / "change.parquet"
        duckdb.execute(GENERATE.format(rows=args.rows, path=source))
        duckdb.execute(CHANGE.format(source=source, path=change))
        size = source.stat().st_size
        ours = galilean(root, source, change)
        dvc = None if args.no_dvc else dvc_ready()
        theirs = with_dvc(dvc, root, source) if dvc else None
        write_results(args, size, table_rows(size, ours, theirs))


if __name__ == "__main__":
    main()
