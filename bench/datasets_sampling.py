"""Sampling a tables dataset: a stratified 1% sample of a 10M-row table (ids, a category of
50 values with skewed sizes, a score), in one run, three ways:

- Galilean: the `stratified` strategy on the snapshot's table in its DuckLake lake (exact
  proportions, seeded), timed for the draw alone and for the whole derived dataset
  (drawn and written as a new tables dataset's first snapshot);
- hand-written DuckDB on the same lake: the plain exact query (each stratum's quota by
  largest remainders, then every row ranked by hash within its stratum);
- pandas `df.groupby("category").sample(frac=0.01)` on the table read into a DataFrame
  (the read not counted): not exact, its total and per-stratum deviations are shown.

Usage: python bench/datasets_sampling.py [--rows 10000000] [--repeat 3]
Writes bench/results/datasets_sampling.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services"))

from galilean_services.datasets.sampling_derive import (  # noqa: E402
    draw,
    parse_request,
    sample_into,
)
from galilean_services.datasets.tables import TablesDataset  # noqa: E402

RESULTS = REPO / "bench" / "results" / "datasets_sampling.md"
FRACTION = 0.01
SEED = 42

GENERATE = """
COPY (
  SELECT range AS id,
         'cat_' || lpad(CAST(floor(50 * pow((hash(range * 7) % 1000003) / 1000003.0, 3))
                        AS INTEGER)::VARCHAR, 2, '0') AS category,
         (hash(range * 13) % 1000000) / 1000000.0 AS score
  FROM range({rows})
) TO '{path}' (FORMAT parquet)
"""

# The plain exact method, written by hand: quotas by largest remainders, every row ranked.
HAND = """
WITH sizes AS (SELECT category, count(*) AS size FROM {table} GROUP BY ALL),
alloc AS (SELECT *, floor({f} * size) AS base, {f} * size - floor({f} * size) AS rem,
            round({f} * sum(size) OVER ()) - sum(floor({f} * size)) OVER () AS extra
          FROM sizes),
quota AS (SELECT category, base + CASE WHEN row_number() OVER (ORDER BY rem DESC, category)
            <= extra THEN 1 ELSE 0 END AS quota FROM alloc),
ranked AS (SELECT t.*, row_number() OVER (PARTITION BY category
             ORDER BY hash({seed}, id, category, score)) AS rn FROM {table} t)
SELECT r.* EXCLUDE (rn) FROM ranked r JOIN quota q USING (category) WHERE r.rn <= q.quota
"""


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def counts_of(table: Any) -> dict[str, int]:
    counted = table.group_by("category").aggregate([("id", "count")]).to_pylist()
    return {row["category"]: row["id_count"] for row in counted}


def exactness(found: dict[str, int], sizes: dict[str, int]) -> str:
    """Exact: the total is round(f x rows) and each stratum within 1 of f x its size."""
    f = Decimal(str(FRACTION))
    total = sum(found.values())
    wanted = int((f * sum(sizes.values())).to_integral_value(ROUND_HALF_UP))
    worst = max(abs(found.get(c, 0) - f * n) for c, n in sizes.items())
    verdict = "exact" if total == wanted and worst < 1 else "not exact"
    return (
        f"{verdict}: {total:,} rows ({total - wanted:+d}), worst stratum {worst:.2f} off f x size"
    )


def run(rows: int, repeat: int, work: Path) -> list[tuple[str, str, str]]:
    source = work / "table.parquet"
    duckdb.execute(GENERATE.format(rows=rows, path=source))
    lake = TablesDataset(work / ".galilean/datasets/events", allowed_root=work)
    load, _ = best_of(1, lambda: lake.write("events", source, author="bench"))
    sizes = dict(
        lake.connection.execute(
            f"SELECT category, count(*) FROM {lake.scan_sql('events')} GROUP BY ALL"  # noqa: S608
        ).fetchall()
    )
    body = {
        "table": "events",
        "strategy": "stratified",
        "params": {"by": "category", "fraction": FRACTION, "seed": SEED},
        "into": "unused",
    }
    request = parse_request(body)
    ours, (_, drawn) = best_of(repeat, lambda: draw(lake, request))
    made = iter(range(repeat))

    def derive() -> Any:
        return sample_into(lake, "events", parse_request({**body, "into": f"s-{next(made)}"}), "b")

    derived, _ = best_of(repeat, derive)
    table = f"(SELECT * FROM {lake.scan_sql('events')})"  # noqa: S608
    hand_sql = HAND.format(table=table, f=f"CAST('{FRACTION}' AS DECIMAL(18, 6))", seed=SEED)
    hand, by_hand = best_of(repeat, lambda: lake.connection.execute(hand_sql).to_arrow_table())
    frame = lake.read("events").to_pandas()
    pandas_time, by_pandas = best_of(
        repeat, lambda: frame.groupby("category").sample(frac=FRACTION, random_state=SEED)
    )
    pandas_counts = by_pandas.groupby("category").size().to_dict()
    lake.close()
    assert exactness(counts_of(drawn), sizes).startswith("exact"), "Galilean's is not exact"
    largest = max(sizes.values())
    smallest = min(sizes.values())
    facts = (
        f"{rows:,} rows (id, category, score), {len(sizes)} categories of {smallest:,} to "
        f"{largest:,} rows; loaded as snapshot 1 in {load:.2f} s"
    )
    return [
        ("facts", facts, ""),
        ("Galilean: draw (stratified, exact)", f"{ours:.3f} s",
         exactness(counts_of(drawn), sizes)),
        ("Galilean: draw + write the derived dataset", f"{derived:.3f} s", ""),
        ("hand-written DuckDB (exact, full ranking)", f"{hand:.3f} s ({hand / ours:.1f}x)",
         exactness(counts_of(by_hand), sizes)),
        ("pandas groupby().sample(frac=)", f"{pandas_time:.3f} s ({pandas_time / ours:.1f}x)",
         exactness(pandas_counts, sizes)),
    ]  # fmt: skip


def write(rows: list[tuple[str, str, str]], repeat: int) -> None:
    facts = rows[0][1]
    load = os.getloadavg()[0]
    lines = [
        "# Datasets: a stratified 1% sample (Galilean vs hand-written DuckDB vs pandas)",
        "",
        f"Table: {facts}. Fraction {FRACTION}, seed {SEED}; median of {repeat} runs; DuckDB "
        f"{duckdb.__version__}, {os.cpu_count()} cores (load average {load:.1f} at the end). "
        "Ratios: that method's time over Galilean's draw. The pandas time leaves out reading "
        "the table into a DataFrame. Goal: ≤ 1 s for the Galilean draw.",
        "",
        "| method | time | sample |",
        "|---|---|---|",
        *[f"| {name} | {time_} | {size} |" for name, time_, size in rows[1:]],
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="galilean-bench-sampling-"))
    try:
        write(run(options.rows, options.repeat, work), options.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
