"""A result cache or a spill folder that cannot be written (a folder made by another
account, a file where the folder should be, a folder removed meanwhile) never fails a run:
the run goes on without the cache, or spills into the temporary folder."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from flow_builders import ORDERS, summed_orders

from galilean_services.flows import parse_flow
from galilean_services.flows.budget import Budget
from galilean_services.flows.disk_cache import DiskCache
from galilean_services.flows.model import Flow
from galilean_services.flows.runner import run


def totals() -> Flow:
    show = {"id": "show", "kind": "destination.display", "params": {}}
    return parse_flow(json.dumps(summed_orders(show, by="region")))


def test_a_file_where_the_cache_folder_should_be(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    for engine in ("auto", "duckdb"):
        result = run(totals(), base_dir=tmp_path, cache_folder=blocked, engine=engine)
        assert result.status == "succeeded", result.error
        assert result.outputs["show"].num_rows == ORDERS["region"].nunique(dropna=False)


def test_a_cache_folder_gone_after_it_was_opened(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    cache = DiskCache(tmp_path / "cache")
    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "cache").write_text("now a file")
    result = run(totals(), base_dir=tmp_path, cache=cache)
    assert result.status == "succeeded", result.error
    again = run(totals(), base_dir=tmp_path, cache=cache)
    assert again.status == "succeeded", again.error
    assert again.outputs["show"] == result.outputs["show"]


def test_a_spill_folder_that_cannot_be_made_falls_back_to_the_temporary_folder(
    tmp_path: Path,
) -> None:
    (tmp_path / "spill").write_text("not a folder")
    budget = Budget.of("1GB", tmp_path / "spill" / "inner")
    assert budget is not None
    folder = Path(budget.spill_folder())
    assert folder.is_dir()
    assert folder.is_relative_to(tempfile.gettempdir())
