"""A run's record marks the nodes whose results came from the cache (the worker's
`reused`, RunResult.reused), and "run up to here" reaches the worker's job as `targets`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from galilean_services.flows_service.config import ServiceConfig
from galilean_services.flows_service.executor import RunManager
from galilean_services.flows_service.store import Store


def manager(tmp_path: Path) -> RunManager:
    config = ServiceConfig(db_url=f"sqlite:///{tmp_path / 'f.sqlite'}", files_root=str(tmp_path))
    return RunManager(Store(config.db_url), config)


def outcome(runs: RunManager, result: dict[str, Any]) -> dict[str, Any]:
    return runs._outcome("0" * 32, 0, (json.dumps(result) + "\n").encode(), b"")


def test_reused_nodes_are_marked_in_the_record(tmp_path: Path) -> None:
    runs = manager(tmp_path)
    got = outcome(
        runs,
        {
            "status": "succeeded",
            "nodes": {"a": {"rows_in": 0, "rows_out": 2}, "b": {"rows_in": 2, "rows_out": 1}},
            "reused": ["a", "gone", 7],
        },
    )
    assert got["nodes"] == {
        "a": {"rows_in": 0, "rows_out": 2, "reused": True},
        "b": {"rows_in": 2, "rows_out": 1},
        "gone": {"reused": True},
    }
    assert outcome(runs, {"status": "succeeded", "nodes": {"a": {}}})["nodes"] == {"a": {}}
    assert outcome(runs, {"status": "succeeded", "reused": "a"})["nodes"] == {}


def test_targets_reach_the_job(tmp_path: Path) -> None:
    runs = manager(tmp_path)
    jobs: list[dict[str, Any]] = []

    async def keep(_run_id: str, job: dict[str, Any], *_args: Any) -> None:
        jobs.append(job)

    runs._run = keep

    async def start_two() -> None:
        runs.start("1" * 32, "{}", {}, tmp_path, targets=["big"])
        runs.start("2" * 32, "{}", {}, tmp_path)
        await asyncio.sleep(0)

    asyncio.run(start_two())
    assert jobs[0]["targets"] == ["big"]
    assert "targets" not in jobs[1]  # every destination, as before


def test_a_run_record_says_which_engine_ran(tmp_path: Path) -> None:
    runs = manager(tmp_path)
    store = runs.store
    flow = store.create_flow("ann", "f", '{"galilean_flow": 1}')
    for logs, engine in (
        ("", None),
        ("engine: Polars\nsave: wrote out.parquet", "polars"),
        ("offline\nengine: DuckDB (faster for node w: transform.window …)", "duckdb"),
    ):
        run_id = store.create_run(flow["id"], 1, "ann", "manual", {})
        store.update_run(run_id, logs=logs)
        assert store.run(run_id)["engine"] == engine
        assert store.list_runs(flow["id"])[0]["engine"] == engine
