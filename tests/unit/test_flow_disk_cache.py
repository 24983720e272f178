"""The result cache on disk: shared by processes, atomic, bounded, least recently used out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from flow_builders import ORDERS, summed_orders

from galilean_services.flows import parse_flow
from galilean_services.flows.disk_cache import DiskCache, default_folder
from galilean_services.flows.runner import preview, run


def totals_flow(condition: str) -> dict[str, Any]:
    """orders (Parquet) → totals (aggregate, blocking) → top (filter) → out (display)."""
    top = {"id": "top", "kind": "transform.filter", "params": {"condition": condition}}
    return summed_orders(top, {"id": "out", "kind": "destination.display", "params": {}})


def customers(outcome: Any) -> list[str]:
    assert outcome.status == "succeeded", outcome.error
    return sorted(outcome.outputs["out"].column("customer").to_pylist())


@pytest.mark.parametrize("engine", ["auto", "duckdb"])
def test_a_new_cache_on_the_same_folder_reuses_the_blocking_result(
    tmp_path: Path, engine: str
) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    folder = tmp_path / "cache"
    first = run(
        parse_flow(json.dumps(totals_flow("total > 20"))),
        base_dir=tmp_path,
        cache=DiskCache(folder),
        engine=engine,
    )
    assert customers(first) == ["b"]
    assert first.reused == []
    # Another process's cache: nothing in memory, only the folder.
    edited = parse_flow(json.dumps(totals_flow("total > 5")))
    second = run(edited, base_dir=tmp_path, cache=DiskCache(folder), engine=engine)
    assert customers(second) == ["a", "b", "c"]
    assert second.reused == ["totals"]
    assert second.nodes["orders"]["rows_out"] == len(ORDERS)
    assert second.nodes["totals"] == {"rows_in": len(ORDERS), "rows_out": 4}
    assert not list(folder.glob(".*.tmp"))  # nothing half written left behind


def test_a_rerun_in_a_new_process_reuses_the_blocking_result(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        from galilean_services.flows import parse_flow
        from galilean_services.flows.runner import run
        doc, base, folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
        outcome = run(parse_flow(doc), base_dir=base, cache_folder=folder)
        rows = sorted(outcome.outputs["out"].column("customer").to_pylist())
        print(json.dumps({"reused": outcome.reused, "rows": rows}))
        """
    )

    def in_a_process(condition: str) -> Any:
        doc = json.dumps(totals_flow(condition))
        argv = [sys.executable, "-c", script, doc, str(tmp_path), str(tmp_path / "cache")]
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert in_a_process("total > 20") == {"reused": [], "rows": ["b"]}
    assert in_a_process("total > 5") == {"reused": ["totals"], "rows": ["a", "b", "c"]}


class CountingCache(DiskCache):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.hits = 0

    def get(self, key: str) -> pa.Table | None:
        found = super().get(key)
        self.hits += found is not None
        return found


def test_a_preview_after_a_blocking_node_takes_it_from_the_cache(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    folder = tmp_path / "cache"
    run(parse_flow(json.dumps(totals_flow("total > 20"))), base_dir=tmp_path, cache_folder=folder)
    cache = CountingCache(folder)
    edited = parse_flow(json.dumps(totals_flow("total > 5")))
    rows = preview(edited, "top", base_dir=tmp_path, cache=cache)
    assert sorted(rows.column("customer").to_pylist()) == ["a", "b", "c"]
    assert cache.hits == 1
    assert preview(edited, "top", base_dir=tmp_path).num_rows == 3  # no cache: as before


def table(n: int) -> pa.Table:
    return pa.table({"x": list(range(n))})


def noise() -> pa.Table:
    """About 5 kB that no compression shrinks."""
    return pa.table({"blob": [os.urandom(1000) for _ in range(5)]})


def test_the_folder_stays_within_its_bound_least_recently_used_out(tmp_path: Path) -> None:
    one = DiskCache(tmp_path, max_bytes=10**9)
    one.put("a", noise())
    size = (tmp_path / "a.parquet").stat().st_size
    small = DiskCache(tmp_path, max_bytes=int(size * 4.5))  # room for four entries
    for age, key in enumerate("abcd", start=1):
        small.put(key, noise())
        os.utime(tmp_path / f"{key}.parquet", ns=(age, age))
    assert small.get("a") is not None  # a was used longest ago, but is used now: b is out
    small.put("e", noise())
    assert sorted(p.stem for p in tmp_path.glob("*.parquet")) == ["a", "c", "d", "e"]
    assert one.get("b") is None  # gone for every process, even one that had it in memory


def test_eviction_tolerates_entries_another_process_removed(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path, max_bytes=10**9)
    cache.put("a", table(10))
    cache.set_counts("a", {"n": 10})
    (tmp_path / "a.parquet").unlink()  # another process evicted it
    cache.evict()
    assert cache.get("a") is None
    other = DiskCache(tmp_path, max_bytes=10**9)
    assert other.counts("missing") is None
    cache.put("b", table(10))
    cache.set_counts("b", {"n": 10})
    assert other.counts("b") == {"n": 10}
    assert other.get("b") == table(10)


def test_stale_partial_files_are_removed_and_the_default_folder_is_the_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DiskCache(tmp_path)
    stale = tmp_path / ".0123.abc.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, ns=(1, 1))
    cache.put("a", table(10))
    assert not stale.exists()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    from galilean_services.folders import HOME_ENV

    monkeypatch.delenv(HOME_ENV, raising=False)
    assert default_folder() == tmp_path / "home" / ".galilean" / "cache" / "flows"


def test_a_result_parquet_cannot_hold_is_not_kept(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    odd = pa.table({"span": pa.array([(1, 2, 3)], pa.month_day_nano_interval())})
    cache.put("odd", odd)  # no error: the run goes on without it
    assert not list(tmp_path.iterdir())
