"""One memory budget from the CLI: `galilean flow run --memory-limit 1GB` takes the service's
syntax (DuckDB's), and DuckDB gets the limit and a folder of its own to spill into."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from galilean_services import cli
from galilean_services.flows import probe, runner


def setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute("SELECT current_setting($name)", {"name": name}).fetchone()
    assert row is not None
    return str(row[0])


def test_a_limited_connection_keeps_to_it_and_spills_to_its_own_folder(tmp_path: Path) -> None:
    with probe.connect(tmp_path, "100MB") as con:
        assert setting(con, "memory_limit") == "95.3 MiB"
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


@pytest.mark.parametrize("text", ["1GB", "512MiB", "2 GB"])
def test_the_service_syntax_is_accepted(text: str) -> None:
    assert probe.memory_limit_problem(text) is None


def test_a_bad_limit_says_why() -> None:
    problem = probe.memory_limit_problem("1XB")
    assert problem is not None
    assert problem.startswith("Unknown unit for memory: 'xb'")


def test_the_cli_refuses_a_bad_limit_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["flow", "run", str(tmp_path / "none.flow"), "--memory-limit", "lots"])
    assert exited.value.code == 2
    assert "--memory-limit: 'lots': Memory must have a number" in capsys.readouterr().err


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

    def connect(base_dir: Path, memory_limit: str = "") -> Any:
        limits.append(memory_limit)
        return probe.connect(base_dir, memory_limit)

    monkeypatch.setattr(runner, "connect", connect)
    flow = str(small_flow(tmp_path))
    assert cli.main(["flow", "run", flow, "--engine", engine, "--memory-limit", "200MB"]) == 0
    err = capsys.readouterr().err
    if engine == "duckdb":
        assert "200MB" in limits
        assert "memory limit 200MB: DuckDB spills beyond it" in err
    else:
        assert "memory limit 200MB: Polars (streaming engine) has no hard limit" in err


def test_without_a_limit_the_cli_says_nothing_of_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["flow", "run", str(small_flow(tmp_path)), "--engine", "duckdb"]) == 0
    assert "memory limit" not in capsys.readouterr().err
