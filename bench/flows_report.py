"""bench/flows.py's samples: the equality check of the engines' outputs and the table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

HAND_WRITTEN = ("polars", "duckdb")


@dataclass
class Sample:
    whole: float  # seconds of a fresh process that runs the flow once (Galilean: its CLI)
    warm: float  # seconds of the second run in one process (Galilean: run())
    peak_mb: float  # the larger peak RSS of the two processes
    note: str = ""  # Galilean: the engine it ran on, and why when not Polars

    def __str__(self) -> str:
        extra = f" ({self.note})" if self.note else ""
        return f"whole {self.whole:.2f} s, warm {self.warm:.2f} s, {self.peak_mb:.0f} MB{extra}"


def check_same(folder: Path, name: str, engines: list[str]) -> None:
    """Every engine's output equals the reference's, as a set of rows (floats to 1e-9)."""
    import pandas as pd

    frames = {e: pd.read_parquet(folder / f"result-{name}-{e}.parquet") for e in engines}
    reference = "pandas" if "pandas" in frames else "duckdb"
    columns = list(frames[reference].columns)

    def tidy(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[columns]
        for column in columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame = frame.assign(**{column: frame[column].astype("datetime64[us]")})
        return frame.sort_values(columns).reset_index(drop=True)

    base = tidy(frames[reference])
    for engine, frame in frames.items():
        if sorted(frame.columns) != sorted(columns):
            raise SystemExit(f"{name}: {engine} wrote {list(frame.columns)}, not {columns}")
        try:
            pd.testing.assert_frame_equal(
                tidy(frame), base, check_dtype=False, check_exact=False, rtol=1e-9
            )
        except AssertionError as exc:
            raise SystemExit(f"{name}: {engine} differs from {reference}: {exc}") from None


def _row(rows: int, name: str, engine: str, got: list[Sample], best: Sample, pandas: float) -> str:
    warm = statistics.median(s.warm for s in got)
    whole = statistics.median(s.whole for s in got)
    peak = max(s.peak_mb for s in got)
    faster = f"{pandas / warm:.1f}x" if pandas else "—"
    notes = sorted({s.note for s in got if s.note})
    return (
        f"| {rows:,} | {name} | {engine} | {warm:.2f} | {whole:.2f} | {peak:.0f} | "
        f"{warm / best.warm:.2f} | {whole / best.whole:.2f} | {faster} | {'; '.join(notes)} |"
    )


def table(
    results: dict[int, dict[tuple[str, str], list[Sample]]], repeat: int, fill: str, big: str
) -> str:
    how = "a `transform.fill_missing` median" if fill == "kind" else "a SQL node (`COALESCE`"
    how += "" if fill == "kind" else " with a `MEDIAN` subquery; fill_missing had no median)"
    lines = [
        "# Flows corpus: six flows drawn as a user would, interleaved, fresh process per run",
        "",
        f"Median of {repeat} round(s) (big runs: 1). *warm*: the second run in one process",
        "(Galilean: `run()`); *whole*: a fresh process that imports and runs once (Galilean:",
        "`galilean flow run`, what a CLI user waits). Ratios divide by the fastest hand-written",
        "engine (Polars lazy or DuckDB) on the same measure; *pandas ÷* is pandas' warm time",
        "over this one. Peak MB: the larger maximum RSS of the two processes. Outputs checked",
        f"equal across engines. monthly_revenue fills missing prices with {how}.",
        f"Big runs: {big}.",
        "",
        "Goals (issue 13): Galilean warm ≤ 1.2, whole ≤ 1.3, pandas ÷ ≥ 3x at 10M rows.",
        "",
        "| rows | flow | engine | warm s | whole s | peak MB | warm ÷ fastest "
        "| whole ÷ fastest | pandas ÷ | Galilean's engine |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for rows, samples in results.items():
        for name in dict.fromkeys(n for n, _ in samples):
            got = {e: s for (n, e), s in samples.items() if n == name}
            hand = [
                Sample(
                    statistics.median(x.whole for x in got[e]),
                    statistics.median(x.warm for x in got[e]),
                    0,
                )
                for e in HAND_WRITTEN
            ]
            best = Sample(min(h.whole for h in hand), min(h.warm for h in hand), 0)
            pandas = statistics.median(x.warm for x in got["pandas"]) if "pandas" in got else 0
            lines += [_row(rows, name, e, s, best, pandas) for e, s in got.items()]
    return "\n".join(lines) + "\n"


def rerun_table(reruns: dict[tuple[int, str], list[tuple[float, float, str]]]) -> str:
    """Full run against a rerun after an edit, each in a new process sharing the user's
    result cache."""
    if not reruns:
        return ""
    lines = [
        "",
        "## Rerun after an edit after the last blocking node, in a new process",
        "",
        "`galilean flow run` with an empty result cache, then again after turning the flow's",
        "last sort around (median seconds of whole processes). Goal: ≥ 20x faster.",
        "",
        "| rows | flow | full s | rerun s | faster | reused |",
        "| ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for (rows, name), got in reruns.items():
        full = statistics.median(g[0] for g in got)
        again = statistics.median(g[1] for g in got)
        reused = "; ".join(sorted({g[2] for g in got}))
        lines.append(
            f"| {rows:,} | {name} | {full:.2f} | {again:.2f} | {full / again:.1f}x | {reused} |"
        )
    return "\n".join(lines) + "\n"
