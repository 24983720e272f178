"""The example flows a user finds in `~/examples/flows/`: each validates and runs with
`galilean flow run` on the data it brings; the copy into the user's folder never
overwrites their edits; the server puts the `galilean` command on PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from galilean_server.examples import (
    LEDGER,
    SHIPPED,
    TARGET,
    cli_on_path,
    copy_examples,
    login_shell_keeps,
)

GALILEAN = Path(sys.executable).parent / "galilean"
FLOWS = sorted(p.name for p in SHIPPED.glob("*.flow"))


def galilean(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GALILEAN), *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    copied = copy_examples(tmp_path)
    assert set(FLOWS) <= set(copied)
    return tmp_path


def test_there_are_examples() -> None:
    assert len(FLOWS) >= 3
    kinds = set()
    for name in FLOWS:
        kinds |= {n["kind"] for n in json.loads((SHIPPED / name).read_text())["nodes"]}
    assert {"transform.filter", "transform.aggregate", "transform.join"} <= kinds
    assert "source.request" in kinds  # the one to publish as an endpoint


@pytest.mark.parametrize("name", FLOWS)
def test_each_example_validates_and_runs(home: Path, name: str) -> None:
    folder = home / TARGET
    checked = galilean("flow", "validate", name, cwd=folder)
    assert checked.returncode == 0, checked.stderr
    ran = galilean("flow", "run", name, cwd=folder)
    assert ran.returncode == 0, ran.stderr
    assert "✓ done" in ran.stderr
    assert " rows" in ran.stdout


def test_sales_by_region_takes_its_parameter(home: Path) -> None:
    folder = home / TARGET
    every = galilean("flow", "run", "sales_by_region.flow", "--param", "min_amount=0", cwd=folder)
    big = galilean("flow", "run", "sales_by_region.flow", "--param", "min_amount=200", cwd=folder)
    assert every.returncode == big.returncode == 0, (every.stderr, big.stderr)

    def orders(out: str) -> int:
        return sum(int(line.split()[2]) for line in out.splitlines()[2:])

    assert orders(every.stdout) == 40  # every row of sales.csv
    assert 0 < orders(big.stdout) < 40


def test_customer_segments_joins_and_writes(home: Path) -> None:
    folder = home / TARGET
    ran = galilean("flow", "run", "customer_segments.flow", "--param", "country=DE", cwd=folder)
    assert ran.returncode == 0, ran.stderr
    table = pq.read_table(folder / "segments.parquet").to_pylist()
    assert table
    assert {row["segment"] for row in table} <= {"retail", "business", "education"}
    assert sum(row["customers"] for row in table) == 3  # the DE customers who ordered


def test_the_quote_prices_its_sample_with_the_discount(home: Path) -> None:
    folder = home / TARGET
    ran = galilean(
        "flow", "run", "quote_endpoint.flow", "--param", "discount_percent=10", cwd=folder
    )
    assert ran.returncode == 0, ran.stderr
    lines = {line.split()[0]: line.split() for line in ran.stdout.splitlines()[2:]}
    assert float(lines["desk"][-1]) == 448.2  # 2 x 249.0, 10 % off


def test_edits_are_kept_and_deleted_examples_stay_deleted(home: Path) -> None:
    folder = home / TARGET
    edited = folder / "sales_by_region.flow"
    edited.write_text("my own version")
    (folder / "quote_endpoint.flow").unlink()
    assert copy_examples(home) == []  # a server restart
    assert edited.read_text() == "my own version"
    assert not (folder / "quote_endpoint.flow").exists()
    assert set(json.loads((folder / LEDGER).read_text())) >= set(FLOWS)


def test_a_new_example_arrives_beside_the_old_ones(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "a.flow").write_text("a")
    assert copy_examples(tmp_path, shipped) == ["a.flow"]
    (shipped / "b.flow").write_text("b")
    assert copy_examples(tmp_path, shipped) == ["b.flow"]


def test_the_cli_goes_on_path_once() -> None:
    scripts = str(Path(sys.executable).parent)
    environ = {"PATH": "/usr/bin:/bin"}
    assert cli_on_path(environ) == scripts
    assert environ["PATH"] == f"{scripts}{os.pathsep}/usr/bin:/bin"
    assert cli_on_path(environ) is None  # already found there
    assert environ["PATH"] == f"{scripts}{os.pathsep}/usr/bin:/bin"
    empty: dict[str, str] = {}
    assert cli_on_path(empty) == scripts
    assert empty["PATH"] == scripts


def test_a_terminals_login_shell_keeps_the_cli(tmp_path: Path) -> None:
    """A login shell's /etc/profile sets PATH afresh: the shell JupyterLab is told to run
    puts the folder back, then is the user's interactive shell."""
    scripts = str(Path(sys.executable).parent)
    settings: dict[str, object] = {}
    login_shell_keeps(scripts, settings)
    command = settings["shell_command"]
    assert isinstance(command, list)
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "SHELL": command[0]}
    done = subprocess.run(
        command,
        input="command -v galilean\nexit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == str(GALILEAN), (done.stdout, done.stderr)
    chosen = {"shell_command": ["/bin/zsh"]}
    login_shell_keeps(scripts, chosen)  # the administrator's choice stands
    assert chosen == {"shell_command": ["/bin/zsh"]}
