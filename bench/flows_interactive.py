"""What the designer feels: a 100-row preview of a node with no aggregation upstream, and
a rerun after editing a node that sits after the aggregation (upstream results reused
from the result cache), on the reference flow's data.

Usage: python bench/flows_interactive.py [--rows 10000000] [--repeat 5]
Writes bench/results/flows_interactive.md. All in one process, interleaved, after one
warm-up of each (a running server's steady state).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from flows import FLOW, generate

REPO = Path(__file__).resolve().parents[1]
PREVIEW_NODE = "net"  # orders → valid → filled → net: no aggregation upstream


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def measure(rows: int, repeat: int) -> list[str]:
    """Two table lines for one size."""
    import pandas as pd

    from galilean_services.flows import parse_flow
    from galilean_services.flows.cache import ResultCache
    from galilean_services.flows.runner import preview, run

    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="galilean-interactive-") as tmp:
        folder = Path(tmp)
        generate(folder, rows)
        flow = parse_flow(json.dumps(FLOW))
        edited_doc = copy.deepcopy(FLOW)
        for node in edited_doc["nodes"]:  # type: ignore[union-attr]
            if node["id"] == "ordered":
                node["params"]["keys"] = [{"column": "rank"}, {"column": "month"}]
        edited = parse_flow(json.dumps(edited_doc))

        def galilean_preview() -> None:
            table = preview(flow, PREVIEW_NODE, limit=100, base_dir=folder)
            assert table.num_rows == 100

        def pandas_preview() -> None:
            orders = pd.read_parquet(folder / "orders.parquet")
            valid = orders[orders["status"] != "cancelled"]
            filled = valid.assign(amount=valid["amount"].fillna(0))
            assert len(filled.assign(net=filled["amount"] * 0.8).head(100)) == 100

        def full_run() -> None:
            cache = ResultCache()
            assert run(flow, base_dir=folder, cache=cache).status == "succeeded"
            state["cache"] = cache

        def rerun() -> None:
            outcome = run(edited, base_dir=folder, cache=state["cache"])
            assert outcome.status == "succeeded"
            assert "monthly" in outcome.reused

        state: dict[str, ResultCache] = {}
        for action in (galilean_preview, pandas_preview, full_run, rerun):
            action()
        samples: dict[str, list[float]] = {k: [] for k in ("gp", "pp", "full", "rerun")}
        for _ in range(repeat):
            samples["gp"].append(timed(galilean_preview))
            samples["pp"].append(timed(pandas_preview))
            samples["full"].append(timed(full_run))
            samples["rerun"].append(timed(rerun))
        m = {k: statistics.median(v) for k, v in samples.items()}
        out.append(
            f"| {rows:,} | preview 100 rows | {m['gp']:.3f} | {m['pp']:.2f} | "
            f"pandas {m['pp'] / m['gp']:.0f}x slower |"
        )
        out.append(
            f"| {rows:,} | full run → rerun after an edit | {m['full']:.2f} → "
            f"{m['rerun']:.3f} | | rerun {m['full'] / m['rerun']:.0f}x faster |"
        )
        print("\n".join(out), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    lines = [
        "# Interactive flow work (designer): preview and cached rerun",
        "",
        f"Median of {options.repeat}, one process, interleaved, after a warm-up.",
        "Preview: first 100 rows of node `net` (filter, fill missing, computed column over",
        "the orders file). Rerun: the whole reference flow again after editing `ordered`",
        "(the sort after the aggregation and the window); the aggregation and the window",
        "are reused from the result cache, which the full run fills.",
        "",
        "| rows | measure | galilean s | pandas s | ratio |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for rows in options.rows:
        lines += measure(rows, options.repeat)
    (REPO / "bench" / "results" / "flows_interactive.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
