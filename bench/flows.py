"""The reference 8-node flow, run by Galilean's engine, node by node in pandas (the seed's
design), one hand-written DuckDB query and a hand-written Polars lazy query; interleaved,
each run in a fresh process (peak memory from wait4), median of N.

Usage: python bench/flows.py [--rows 1000000 10000000] [--repeat 3]
Writes bench/results/flows.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# galilean: the engine as users get it (Polars when every node has a Polars form);
# galilean-duckdb: the same flow forced onto the DuckDB backend.
ENGINES = ["galilean", "galilean-duckdb", "pandas", "duckdb", "polars"]

FLOW = {
    "galilean_flow": 1,
    "name": "Reference: monthly revenue by region",
    "nodes": [
        {"id": "orders", "kind": "source.file", "params": {"path": "orders.parquet"}},
        {"id": "regions", "kind": "source.file", "params": {"path": "regions.parquet"}},
        {
            "id": "valid",
            "kind": "transform.filter",
            "params": {"condition": "status <> 'cancelled'"},
        },
        {"id": "filled", "kind": "transform.fill_missing", "params": {"fill": {"amount": 0}}},
        {
            "id": "net",
            "kind": "transform.add_column",
            "params": {"name": "net", "expression": "amount * 0.8"},
        },
        {
            "id": "joined",
            "kind": "transform.join",
            "params": {"how": "inner", "on": [{"left": "region_id", "right": "region_id"}]},
        },
        {
            "id": "monthly",
            "kind": "transform.aggregate",
            "params": {
                "group_by": ["region_name", "month"],
                "aggregations": [
                    {"column": "net", "function": "sum", "as": "revenue"},
                    {"column": "customer_id", "function": "count_distinct", "as": "customers"},
                    {"column": "amount", "function": "avg", "as": "avg_amount"},
                ],
            },
        },
        {
            "id": "ranked",
            "kind": "transform.window",
            "params": {
                "function": "rank",
                "partition_by": ["month"],
                "order_by": [{"column": "revenue", "descending": True}],
                "as": "rank",
            },
        },
        {
            "id": "ordered",
            "kind": "transform.sort",
            "params": {"keys": [{"column": "month"}, {"column": "rank"}]},
        },
        {"id": "save", "kind": "destination.file", "params": {"path": "result.parquet"}},
    ],
    "edges": [
        {"id": "e1", "from": {"node": "orders"}, "to": {"node": "valid"}},
        {"id": "e2", "from": {"node": "valid"}, "to": {"node": "filled"}},
        {"id": "e3", "from": {"node": "filled"}, "to": {"node": "net"}},
        {"id": "e4", "from": {"node": "net"}, "to": {"node": "joined", "port": "left"}},
        {"id": "e5", "from": {"node": "regions"}, "to": {"node": "joined", "port": "right"}},
        {"id": "e6", "from": {"node": "joined"}, "to": {"node": "monthly"}},
        {"id": "e7", "from": {"node": "monthly"}, "to": {"node": "ranked"}},
        {"id": "e8", "from": {"node": "ranked"}, "to": {"node": "ordered"}},
        {"id": "e9", "from": {"node": "ordered"}, "to": {"node": "save"}},
    ],
}

DUCKDB_SQL = """
COPY (
  WITH monthly AS (
    SELECT r.region_name, o.month,
           SUM(COALESCE(o.amount, 0) * 0.8) AS revenue,
           COUNT(DISTINCT o.customer_id) AS customers,
           AVG(COALESCE(o.amount, 0)) AS avg_amount
    FROM read_parquet('orders.parquet') o JOIN read_parquet('regions.parquet') r USING (region_id)
    WHERE o.status <> 'cancelled'
    GROUP BY r.region_name, o.month)
  SELECT *, RANK() OVER (PARTITION BY month ORDER BY revenue DESC) AS rank
  FROM monthly ORDER BY month, rank
) TO 'result.parquet' (FORMAT PARQUET)
"""


def generate(folder: Path, rows: int) -> None:
    import duckdb

    with duckdb.connect() as con:
        con.execute(f"""
            COPY (SELECT i AS order_id, (hash(i) % 100000)::BIGINT AS customer_id,
                         (hash(i * 7) % 20 + 1)::BIGINT AS region_id,
                         (hash(i * 13) % 12 + 1)::BIGINT AS month,
                         CASE WHEN hash(i * 17) % 20 = 0 THEN NULL
                              ELSE (hash(i * 19) % 100000) / 100.0 END AS amount,
                         CASE WHEN hash(i * 23) % 10 = 0 THEN 'cancelled' ELSE 'paid' END AS status
                  FROM range({rows}) t(i))
            TO '{folder}/orders.parquet' (FORMAT PARQUET)""")  # noqa: S608 (numbers only)
        con.execute(f"""
            COPY (SELECT i AS region_id, 'region ' || i AS region_name FROM range(1, 21) t(i))
            TO '{folder}/regions.parquet' (FORMAT PARQUET)""")  # noqa: S608


def run_engine(engine: str, folder: Path) -> float:
    """Import the engine, then time one run (imports are a server's start-up cost)."""
    os.chdir(folder)
    if engine.startswith("galilean"):
        from galilean_services.flows import parse_flow
        from galilean_services.flows.runner import run

        began = time.perf_counter()
        choice = "duckdb" if engine == "galilean-duckdb" else "auto"
        result = run(parse_flow(json.dumps(FLOW)), base_dir=folder, engine=choice)
        assert result.status == "succeeded", result.error
        assert result.engine == ("duckdb" if choice == "duckdb" else "polars"), result.logs
    elif engine == "duckdb":
        import duckdb

        began = time.perf_counter()
        with duckdb.connect() as con:
            con.execute(DUCKDB_SQL)
    elif engine == "polars":
        import polars as pl

        began = time.perf_counter()

        orders = pl.scan_parquet("orders.parquet")
        regions = pl.scan_parquet("regions.parquet")
        monthly = (
            orders.filter(pl.col("status") != "cancelled")
            .with_columns(pl.col("amount").fill_null(0))
            .with_columns(net=pl.col("amount") * 0.8)
            .join(regions, on="region_id")
            .group_by("region_name", "month")
            .agg(
                revenue=pl.col("net").sum(),
                customers=pl.col("customer_id").n_unique(),
                avg_amount=pl.col("amount").mean(),
            )
        )
        ranked = monthly.with_columns(
            rank=pl.col("revenue").rank("min", descending=True).over("month")
        ).sort("month", "rank")
        ranked.sink_parquet("result.parquet")
    else:  # pandas, one node after the other, each materialised
        import pandas as pd

        began = time.perf_counter()
        orders = pd.read_parquet("orders.parquet")
        regions = pd.read_parquet("regions.parquet")
        valid = orders[orders["status"] != "cancelled"]
        filled = valid.assign(amount=valid["amount"].fillna(0))
        net = filled.assign(net=filled["amount"] * 0.8)
        joined = net.merge(regions, on="region_id", how="inner")
        monthly = joined.groupby(["region_name", "month"], as_index=False).agg(
            revenue=("net", "sum"),
            customers=("customer_id", "nunique"),
            avg_amount=("amount", "mean"),
        )
        monthly["rank"] = (
            monthly.groupby("month")["revenue"].rank(method="min", ascending=False).astype(int)
        )
        monthly.sort_values(["month", "rank"]).to_parquet("result.parquet", index=False)
    return time.perf_counter() - began


def measure(engine: str, folder: Path) -> tuple[float, float, float]:
    """First and second run's seconds (after imports) and peak RSS (MB), fresh process."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", engine, str(folder)], stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{engine} failed")
    cold, warm = output.decode().strip().splitlines()[-1].split()
    return float(cold), float(warm), usage.ru_maxrss / 1024


def check_same(folder: Path) -> None:
    import pandas as pd

    frames = {e: pd.read_parquet(folder / f"result-{e}.parquet") for e in ENGINES}
    base = frames["pandas"].sort_values(["month", "region_name"]).reset_index(drop=True)
    for frame in frames.values():
        frame = frame.sort_values(["month", "region_name"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(
            frame[base.columns], base, check_dtype=False, check_exact=False, rtol=1e-9
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        cold = run_engine(options.child[0], Path(options.child[1]))
        warm = run_engine(options.child[0], Path(options.child[1]))
        print(f"{cold} {warm}")
        return
    lines = [
        "# Reference flow (8 nodes), interleaved, fresh process per run",
        "",
        f"Median of {options.repeat} processes; each imports its engine, runs the flow once",
        "(first run s: a server's first request) and again (median s: a warm server, the",
        "ratios use it). Peak memory is the process's maximum RSS over both runs.",
        "Galilean's run includes its per-node row counts; `galilean` chose Polars for this",
        "flow by itself, `galilean-duckdb` is the same flow forced onto DuckDB.",
        "",
        "| rows | engine | median s | first run s | peak MB | vs pandas "
        "| vs fastest hand-written |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rows in options.rows:
        with tempfile.TemporaryDirectory(prefix="galilean-flowbench-") as tmp:
            folder = Path(tmp)
            generate(folder, rows)
            samples: dict[str, list[tuple[float, float, float]]] = {e: [] for e in ENGINES}
            for _ in range(options.repeat):
                for engine in ENGINES:
                    samples[engine].append(measure(engine, folder))
                    (folder / "result.parquet").rename(folder / f"result-{engine}.parquet")
            check_same(folder)
        colds = {e: statistics.median(c for c, _, _ in v) for e, v in samples.items()}
        medians = {e: statistics.median(w for _, w, _ in v) for e, v in samples.items()}
        peaks = {e: max(m for _, _, m in v) for e, v in samples.items()}
        fastest = min(medians["duckdb"], medians["polars"])
        for engine in ENGINES:
            lines.append(
                f"| {rows:,} | {engine} | {medians[engine]:.2f} | {colds[engine]:.2f} | "
                f"{peaks[engine]:.0f} | "
                f"{medians[engine] / medians['pandas']:.2f} | {medians[engine] / fastest:.2f} |"
            )
        print("\n".join(lines[-len(ENGINES) :]), flush=True)
    out = REPO / "bench" / "results" / "flows.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
