"""One memory budget from the CLI: `galilean flow run --memory-limit 1GB` takes the service's
syntax, and the engine that runs the flow (DuckDB, or Polars's streaming engine) gets its
share of it and a folder of its own to spill into; runs reuse the user's result cache on
disk, across processes, unless `--no-cache`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from galilean_services import cli, sizes
from galilean_services.flows import budget, probe, runner


def setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute("SELECT current_setting($name)", {"name": name}).fetchone()
    assert row is not None
    return str(row[0])


def test_a_limited_connection_keeps_to_it_and_spills_to_its_own_folder(tmp_path: Path) -> None:
    with probe.connect(tmp_path, "100MiB") as con:
        assert setting(con, "memory_limit") == "70.0 MiB"  # the engine's share of the budget
        spill = Path(setting(con, "temp_directory"))
        assert spill.is_dir()
        assert spill.parent.name.startswith("galilean-spill-")
        assert not spill.is_relative_to(tmp_path)
        assert setting(con, "enable_external_access").lower() == "false"
    with probe.connect(tmp_path, "100MB") as other:
        assert Path(setting(other, "temp_directory")) != spill


def test_an_unlimited_connection_has_no_spill_folder_of_ours(tmp_path: Path) -> None:
    with probe.connect(tmp_path) as con:
        assert "galilean-spill-" not in setting(con, "temp_directory")


@pytest.mark.parametrize(
    ("text", "size"),
    [("1GB", 10**9), ("512MiB", 512 * 2**20), ("2 GB", 2 * 10**9), ("1.5GiB", 3 * 2**29)],
)
def test_the_service_syntax_is_accepted(text: str, size: int) -> None:
    assert sizes.size_problem(text) is None
    assert sizes.parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1XB", "Unknown unit for memory: 'xb'"),
        ("12", "Unknown unit for memory: 'none'"),
        ("lots", "Memory must have a number"),
        ("1MB", "Memory must be at least 32MiB"),
    ],
)
def test_a_bad_limit_says_why(text: str, problem: str) -> None:
    found = sizes.size_problem(text)
    assert found is not None
    assert found.startswith(problem), found


def test_polars_gets_its_share_and_a_spill_folder_and_loses_them_without_a_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.delenv(budget.POLARS_BUDGET, raising=False)
    monkeypatch.delenv(budget.POLARS_SPILL, raising=False)
    budget.use_for_polars(budget.Budget.of("1GiB", tmp_path / "spill"))
    assert os.environ[budget.POLARS_BUDGET] == str(int(2**30 * budget.ENGINE_SHARE) // 2**20)
    spill = Path(os.environ[budget.POLARS_SPILL])
    assert spill.is_dir()
    assert spill.is_relative_to(tmp_path / "spill")
    budget.use_for_polars(None)
    assert budget.POLARS_BUDGET not in os.environ
    assert budget.POLARS_SPILL not in os.environ


def test_the_cli_refuses_a_bad_limit_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["flow", "run", str(tmp_path / "none.flow"), "--memory-limit", "lots"])
    assert exited.value.code == 2
    assert "--memory-limit: 'lots': Memory must have a number" in capsys.readouterr().err


def test_the_cli_rejects_a_bad_limit_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["flow", "run", str(tmp_path / "none.flow"), "--memory-limit", "1XB"])
    assert "--memory-limit: '1XB': Unknown unit for memory: 'xb'" in capsys.readouterr().err


def small_flow(folder: Path) -> Path:
    source = {
        "id": "rows",
        "kind": "source.inline",
        "params": {"columns": [{"name": "n", "type": "BIGINT"}], "rows": [[1], [2], [3]]},
    }
    document = {
        "galilean_flow": 1,
        "name": "small",
        "nodes": [source, {"id": "show", "kind": "destination.display", "params": {}}],
        "edges": [{"id": "e", "from": {"node": "rows"}, "to": {"node": "show"}}],
    }
    path = folder / "small.flow"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("engine", ["duckdb", "auto"])
def test_the_cli_passes_the_limit_to_the_run_and_says_what_keeps_it(
    engine: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    limits: list[str] = []
    polars: list[budget.Budget | None] = []

    def connect(base_dir: Path, memory_limit: str = "", spill_root: Path | None = None) -> Any:
        limits.append(memory_limit)
        return probe.connect(base_dir, memory_limit, spill_root)

    monkeypatch.setattr(runner, "connect", connect)
    monkeypatch.setattr(runner, "use_for_polars", polars.append)
    monkeypatch.setenv("GALILEAN_USER_HOME", str(tmp_path))
    flow = str(small_flow(tmp_path))
    assert cli.main(["flow", "run", flow, "--engine", engine, "--memory-limit", "200MB"]) == 0
    err = capsys.readouterr().err
    if engine == "duckdb":
        assert "200MB" in limits
        assert "memory limit 200MB: DuckDB spills beyond it" in err
    else:
        assert polars == [budget.Budget(200 * 10**6)]
        assert "memory limit 200MB: Polars (streaming engine) spills beyond it" in err


def test_without_a_limit_the_cli_says_nothing_of_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GALILEAN_USER_HOME", str(tmp_path))
    assert cli.main(["flow", "run", str(small_flow(tmp_path)), "--engine", "duckdb"]) == 0
    assert "memory limit" not in capsys.readouterr().err
