"""A 10M-row DuckDB result shown by a SQL cell in a real kernel: time to the first rows
on screen (the cell's output arriving), the kernel's memory, and the size of the saved
notebook with that output. Then a page request far into the result, sorted.

Usage: python bench/sql_cell.py [--rows 10000000]
Writes bench/results/sql_cell.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from kernel_client import Kernel  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="galilean-sqlbench-") as tmp:
        kernel = Kernel(Path(tmp))
        try:
            process = psutil.Process(kernel.manager.provisioner.process.pid)  # type: ignore[union-attr]
            before = process.memory_info().rss / 2**20
            cell = (
                "%%galilean_sql duckdb big\n"
                "SELECT i AS id, i % 97 AS grp, 'name ' || i AS name, random() AS score\n"
                f"FROM range({options.rows}) t(i)"
            )
            began = time.perf_counter()
            reply = kernel.run(cell, timeout=600)
            first_rows = time.perf_counter() - began
            assert reply["error"] is None, reply["error"]
            after = process.memory_info().rss / 2**20
            table = reply["result"]["application/vnd.galilean.table+json"]
            notebook = nbformat.v4.new_notebook()
            code = nbformat.v4.new_code_cell(cell)
            code.outputs = [
                nbformat.v4.new_output("execute_result", data=reply["result"], execution_count=1)
            ]
            notebook.cells.append(code)
            size = len(nbformat.writes(notebook).encode())
            began = time.perf_counter()
            page = kernel.comm_request(
                "galilean.table",
                {
                    "action": "page",
                    "view": table["view"],
                    "offset": options.rows // 2,
                    "limit": 50,
                    "sort": [{"column": "score", "descending": True}],
                },
            )
            sorted_page = time.perf_counter() - began
            assert page["ok"]
            assert len(page["rows"]) == 50
        finally:
            kernel.stop()
    lines = [
        "# A SQL cell showing a large DuckDB result",
        "",
        f"A query of {options.rows:,} rows (4 columns) on the built-in DuckDB, in a real",
        "kernel. First rows: from sending the cell to its output (one page, the true row",
        "count) arriving. Memory: the kernel's resident size before and after. Notebook: the",
        "saved .ipynb with that output. Sorted page: rows 5,000,000-5,000,050 by `score`.",
        "",
        "| rows | first rows s | kernel MB before → after | notebook KB | sorted page far in s |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {table['total']:,} | {first_rows:.2f} | {before:.0f} → {after:.0f} | "
        f"{size / 1024:.1f} | {sorted_page:.2f} |",
    ]
    (REPO / "bench" / "results" / "sql_cell.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(json.dumps({"first_rows_s": first_rows}))


if __name__ == "__main__":
    main()
