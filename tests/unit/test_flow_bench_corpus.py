"""The flows benchmark corpus (bench/flows_corpus.py) stays runnable: each flow is a valid
`.flow` document that Galilean runs on generated data, with the same output as its
hand-written Polars, DuckDB and pandas forms; and the table divides by the right engine."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from galilean_services.flows import parse_flow
from galilean_services.flows.runner import run

BENCH = Path(__file__).parents[2] / "bench"
ROWS = 3000


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        names = ["flows_corpus", "flows_refs", "flows_pandas", "flows_report"]
        yield {name: importlib.import_module(name) for name in names}


@pytest.fixture(scope="module")
def folder(bench: dict[str, ModuleType], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus")
    corpus = bench["flows_corpus"]
    corpus.generate(path, ROWS)
    corpus.write_flows(path, list(corpus.BUILDERS))
    return path


FLOWS = ["monthly_revenue", "string_cleaning", "star_schema", "windows", "sql_node", "python_node"]


@pytest.mark.parametrize("name", FLOWS)
def test_galilean_and_the_hand_written_forms_agree(
    name: str, bench: dict[str, ModuleType], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    refs, pandas = bench["flows_refs"], bench["flows_pandas"]
    writers = {"polars": refs.run_polars, "duckdb": refs.run_duckdb, "pandas": pandas.run_pandas}
    for engine, write in writers.items():
        write(name)
        os.replace("result.parquet", f"result-{name}-{engine}.parquet")
    outcome = run(parse_flow((folder / f"{name}.flow").read_text()), base_dir=folder)
    assert outcome.status == "succeeded", outcome.error
    os.replace("result.parquet", f"result-{name}-galilean.parquet")
    bench["flows_report"].check_same(folder, name, ["galilean", *writers])


def test_the_check_catches_a_different_output(
    bench: dict[str, ModuleType], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    monkeypatch.chdir(folder)
    bench["flows_pandas"].run_pandas("star_schema")
    frame = pd.read_parquet("result.parquet")
    frame.loc[0, "orders"] += 1
    frame.to_parquet("result-wrong-pandas.parquet")
    frame.loc[0, "orders"] -= 1
    frame.to_parquet("result-wrong-duckdb.parquet")
    with pytest.raises(SystemExit, match="differs"):
        bench["flows_report"].check_same(folder, "wrong", ["pandas", "duckdb"])


def test_ratios_divide_by_the_fastest_hand_written_engine(bench: dict[str, ModuleType]) -> None:
    sample = bench["flows_report"].Sample
    got = {
        ("f", "galilean"): [sample(3.0, 1.2, 100, "engine: Polars")],
        ("f", "polars"): [sample(2.0, 1.0, 100)],
        ("f", "duckdb"): [sample(1.5, 2.0, 100)],
        ("f", "pandas"): [sample(9.0, 6.0, 100)],
    }
    text = bench["flows_report"].table({1000: got}, 1, "kind", "skipped")
    row = next(line for line in text.splitlines() if "| galilean |" in line)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[3:] == ["1.20", "3.00", "100", "1.20", "2.00", "5.0x", "engine: Polars"]
