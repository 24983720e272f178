"""The flows corpus (bench/flows_corpus.py: six flows drawn as a user would) run by
Galilean and hand-written in Polars lazy, DuckDB and pandas node by node
(bench/flows_refs.py, bench/flows_pandas.py); one interleaved run, a fresh process per
measurement, peak RSS from wait4, outputs checked equal.

Per flow, engine and repeat, two processes:
- whole process: `galilean flow run X.flow` (cold: what a CLI user waits), or a process that
  imports a hand-written engine and runs the flow once; wall time and peak RSS;
- in-process: a process that imports the engine and runs the flow twice; the second run's
  seconds (warm: a server's steady state; Galilean's is `run()`).

Per flow and round, also: `galilean flow run` with an empty result cache, then in a new
process after an edit after the last blocking node (its last sort turned around).

Usage: python bench/flows.py [--rows 1000000 10000000] [--flows a b] [--repeat 3]
       [--big-rows 30000000] [--big-flows monthly_revenue star_schema] [--budget 2GB]
Writes bench/results/flows.md (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows_corpus import BUILDERS, generate, median_fill, write_flows
from flows_report import Sample, check_same, rerun_table, table

REPO = Path(__file__).resolve().parents[1]
ENGINES = ["galilean", "polars", "duckdb", "pandas"]
GALILEAN = Path(sys.executable).parent / "galilean"


def run_once(engine: str, name: str, folder: Path, budget: str) -> dict[str, Any]:
    """One run in this process, after imports: its seconds (and Galilean's engine)."""
    os.chdir(folder)
    if engine == "galilean":
        from galilean_services.flows import parse_flow
        from galilean_services.flows.runner import run

        flow = parse_flow((folder / f"{name}.flow").read_text())
        began = time.perf_counter()
        result = run(flow, base_dir=folder, memory_limit=budget)
        seconds = time.perf_counter() - began
        assert result.status == "succeeded", result.error
        return {"seconds": seconds, "engine": result.engine, "note": result.logs[0]}
    import flows_pandas
    import flows_refs

    runners: dict[str, Callable[[str], None]] = {
        "pandas": flows_pandas.run_pandas,
        "polars": flows_refs.run_polars,  # Polars has no memory budget to set
        "duckdb": lambda name: flows_refs.run_duckdb(name, budget),
    }
    began = time.perf_counter()
    runners[engine](name)
    return {"seconds": time.perf_counter() - began}


def child(engine: str, name: str, folder: Path, times: int, budget: str) -> None:
    for _ in range(times):
        outcome = run_once(engine, name, folder, budget)
    print(json.dumps(outcome))


# A fresh process's peak RSS counts the memory of the process it was forked from (Linux
# keeps the larger of the two across exec), so each run is started by this small launcher,
# not by the benchmark (which holds pandas and DuckDB): the floor is ~10 MB, not ~300.
LAUNCHER = """
import json, os, sys, time
began = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - began
with open(sys.argv[1], "w") as out:
    json.dump([seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)], out)
"""


def measure(command: list[str], home: Path | None = None) -> tuple[float, float, str, str]:
    """Wall seconds, peak RSS (MB), stdout and stderr of a fresh process (whose user's
    folder, holding the result cache, is `home` when given)."""
    environment = {**os.environ, **({"GALILEAN_USER_HOME": str(home)} if home else {})}
    with tempfile.TemporaryDirectory() as tmp:
        files = {name: Path(tmp, name) for name in ("out", "err", "usage")}
        with files["out"].open("w") as out, files["err"].open("w") as err:
            launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(files["usage"])]
            subprocess.run(
                [*launcher, *command], stdout=out, stderr=err, cwd=REPO, check=True, env=environment
            )
        seconds, peak_mb, code = json.loads(files["usage"].read_text())
        stdout, stderr = files["out"].read_text(), files["err"].read_text()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    return seconds, peak_mb, stdout, stderr


def cli_engine(stderr: str) -> str:
    """The engine line `galilean flow run` printed (`engine: …`)."""
    notes = [line.split("· ", 1)[1] for line in stderr.splitlines() if "· engine:" in line]
    return notes[0] if notes else "?"


def sample(engine: str, name: str, folder: Path, budget: str) -> Sample:
    me = [sys.executable, __file__, "--child", engine, name, str(folder), "--budget", budget]
    if engine == "galilean":
        command = [str(GALILEAN), "flow", "run", str(folder / f"{name}.flow"), "--show", "0"]
        if budget:
            command += ["--memory-limit", budget]
        with tempfile.TemporaryDirectory(prefix="galilean-home-") as home:
            whole, peak, _, err = measure(command, Path(home))  # a cold result cache
        note = cli_engine(err)
    else:
        whole, peak, _, _ = measure([*me, "--times", "1"])
        note = ""
    (folder / "result.parquet").rename(folder / f"result-{name}-{engine}.parquet")
    _, warm_peak, out, _ = measure([*me, "--times", "2"])
    (folder / "result.parquet").unlink()
    outcome = json.loads(out.strip().splitlines()[-1])
    return Sample(whole, outcome["seconds"], max(peak, warm_peak), note or outcome.get("note", ""))


def edited(folder: Path, name: str) -> Path:
    """`name`'s flow with its last sort turned around: an edit after the last blocking
    node, as a user makes one (the sort feeds the destination in every flow)."""
    document = json.loads((folder / f"{name}.flow").read_text())
    (sort,) = [n for n in document["nodes"] if n["id"] == "ordered"]
    first = sort["params"]["keys"][0]
    first["descending"] = not first.get("descending", False)
    path = folder / f"{name}-edited.flow"
    path.write_text(json.dumps(document, indent=2))
    return path


def rerun_sample(name: str, folder: Path) -> tuple[float, float, str]:
    """`galilean flow run` in a fresh process with an empty result cache, then again in a
    new process after an edit after the last blocking node: both seconds, and what the
    rerun reused."""
    with tempfile.TemporaryDirectory(prefix="galilean-home-") as home:
        run = [str(GALILEAN), "flow", "run", "--show", "0"]
        full, _, _, _ = measure([*run, str(folder / f"{name}.flow")], Path(home))
        again, _, _, err = measure([*run, str(edited(folder, name))], Path(home))
    (folder / "result.parquet").unlink()
    reused = [line.split("· ", 1)[1].split(":")[0] for line in err.splitlines() if "reused" in line]
    return full, again, ", ".join(reused) or "nothing"


def cli_has_memory_limit() -> bool:
    helped = subprocess.run(
        [str(GALILEAN), "flow", "run", "--help"], capture_output=True, text=True, check=False
    )
    return "--memory-limit" in helped.stdout


Reruns = dict[tuple[int, str], list[tuple[float, float, str]]]


def bench(
    rows: int,
    names: list[str],
    engines: list[str],
    repeat: int,
    budget: str,
    reruns: Reruns | None = None,
) -> dict[tuple[str, str], list[Sample]]:
    samples: dict[tuple[str, str], list[Sample]] = {}
    with tempfile.TemporaryDirectory(prefix="galilean-flowbench-") as tmp:
        folder = Path(tmp)
        generate(folder, rows)
        write_flows(folder, names)
        for _ in range(repeat):  # interleaved: every flow and engine once per round
            for name in names:
                for engine in engines:
                    got = sample(engine, name, folder, budget)
                    samples.setdefault((name, engine), []).append(got)
                    print(f"{rows:,} {name} {engine}: {got}", file=sys.stderr, flush=True)
                if reruns is not None:
                    again = rerun_sample(name, folder)
                    reruns.setdefault((rows, name), []).append(again)
                    print(f"{rows:,} {name} rerun: {again}", file=sys.stderr, flush=True)
        for name in names:
            check_same(folder, name, engines)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--flows", nargs="+", choices=sorted(BUILDERS), default=list(BUILDERS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-rows", type=int, default=30_000_000, help="0: skip")
    parser.add_argument("--big-flows", nargs="*", default=["monthly_revenue", "star_schema"])
    parser.add_argument("--budget", default="2GB", help="memory budget of the big runs")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "flows.md")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--times", type=int, default=1, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        engine, name, folder = options.child
        child(engine, name, Path(folder), options.times, options.budget)
        return
    reruns: Reruns = {}
    results = {
        rows: bench(rows, options.flows, ENGINES, options.repeat, "", reruns)
        for rows in options.rows
    }
    big_note = "skipped: `galilean flow run` has no --memory-limit yet"
    if options.big_rows and cli_has_memory_limit():
        big = [f for f in options.big_flows if f in options.flows]
        # pandas is left out: at 30M rows it needs several times the budget.
        engines = ["galilean", "polars", "duckdb"]
        results[options.big_rows] = bench(options.big_rows, big, engines, 1, options.budget)
        big_note = f"{options.big_rows:,} rows: Galilean under --memory-limit {options.budget}"
    _, fill = median_fill()
    text = table(results, options.repeat, fill, big_note) + rerun_table(reruns)
    options.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
