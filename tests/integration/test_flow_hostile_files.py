"""Hostile files: a flow reads and writes only inside its owner's folder, on both engines
(`auto`, which runs these flows on Polars, and `duckdb`), whatever symlinks, `..` or
absolute paths it is handed; writes never follow a symlink and leave no partial file;
a Python node never gets more time or memory than the administrator allows; the flows
database is private.

Canary files are planted in another user's folder: their content and their path never
appear in outputs, errors or logs, and they are never modified."""

from __future__ import annotations

import itertools
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from galilean_services.flows import parse_flow
from galilean_services.flows.issues import FlowInvalid, NodeError
from galilean_services.flows.paths import written_atomically
from galilean_services.flows.runner import RunResult, run
from galilean_services.flows.sandbox import Limits, capped, caps

ENGINES = ["auto", "duckdb"]
CANARY = "CANARY-of-bob-7f3a9c"
OWN = pd.DataFrame({"id": [1, 2], "note": ["alice-1", "alice-2"]})


@dataclass
class Land:
    """Alice's folder (the flow's) and Bob's, beside it, holding the canaries."""

    alice: Path
    bob: Path
    before: dict[str, tuple[bytes, int, int]]

    def bob_unchanged(self) -> None:
        assert snapshot(self.bob) == self.before, "a file outside the flow's folder changed"

    def never_seen(self, text: str) -> None:
        assert CANARY not in text
        assert str(self.bob) not in text
        assert "bob-private" not in text


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(folder.iterdir())
    }


@pytest.fixture
def land(tmp_path: Path) -> Land:
    alice, bob = tmp_path / "alice", tmp_path / "bob-private"
    alice.mkdir()
    bob.mkdir()
    pd.DataFrame({"id": [99], "note": [CANARY]}).to_parquet(bob / "secret.parquet")
    (bob / "victim.csv").write_text(f"note\n{CANARY}\n")
    (bob / "victim.parquet").write_bytes((bob / "secret.parquet").read_bytes())
    OWN.iloc[:1].to_parquet(alice / "own0.parquet")
    return Land(alice, bob, snapshot(bob))


def flow(*nodes: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> Any:
    edges = [
        {"id": f"e{i}", "from": {"node": a["id"]}, "to": {"node": b["id"]}}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    doc: dict[str, Any] = {"galilean_flow": 1, "name": "hostile", "nodes": nodes, "edges": edges}
    if parameters:
        doc["parameters"] = parameters
    return parse_flow(json.dumps(doc))


def reading(path: Any, parameters: list[dict[str, Any]] | None = None) -> Any:
    return flow(
        {"id": "src", "kind": "source.file", "params": {"path": path}},
        {"id": "out", "kind": "destination.display", "params": {}},
        parameters=parameters,
    )


def writing(path: str, fmt: str = "csv", expression: str = "id * 2") -> Any:
    rows = {
        "columns": [{"name": "id", "type": "BIGINT"}, {"name": "note", "type": "VARCHAR"}],
        "rows": [[1, "x"], [2, "y"]],
    }
    return flow(
        {"id": "rows", "kind": "source.inline", "params": rows},
        {
            "id": "calc",
            "kind": "transform.add_column",
            "params": {"name": "n", "expression": expression},
        },
        {"id": "save", "kind": "destination.file", "params": {"path": path, "format": fmt}},
    )


def everything(outcome: RunResult) -> str:
    """All a user sees of a run: status, error, logs and output rows."""
    outputs = {node: table.to_pylist() for node, table in outcome.outputs.items()}
    return json.dumps([outcome.status, outcome.error, outcome.logs, outputs], default=str)


def refused_read(
    land: Land,
    engine: str,
    path: Any,
    params: dict[str, Any] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    capture: pytest.CaptureFixture[str] | None = None,
) -> str:
    """The message of a read refused before anything runs (naming the node)."""
    with pytest.raises(FlowInvalid) as refused:
        run(reading(path, parameters), params, base_dir=land.alice, engine=engine)
    (issue,) = refused.value.issues
    assert issue.node == "src"
    land.never_seen(str(refused.value))
    if capture is not None:
        out, err = capture.readouterr()
        land.never_seen(out + err)
    land.bob_unchanged()
    return issue.message


# -- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_glob_reads_the_folders_files_and_refuses_a_symlinked_member(
    land: Land, engine: str, capfd: pytest.CaptureFixture[str]
) -> None:
    OWN.iloc[1:].to_parquet(land.alice / "own1.parquet")
    outcome = run(reading("own*.parquet"), base_dir=land.alice, engine=engine)
    assert outcome.status == "succeeded", outcome.error
    assert sorted(outcome.outputs["out"].column("note").to_pylist()) == ["alice-1", "alice-2"]

    (land.alice / "own2.parquet").symlink_to(land.bob / "secret.parquet")
    message = refused_read(land, engine, "own*.parquet", capture=capfd)
    assert message == "path 'own*.parquet': 'own2.parquet' leaves the flow's folder"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_symlinked_file_is_refused(land: Land, engine: str) -> None:
    (land.alice / "data.parquet").symlink_to(land.bob / "secret.parquet")
    assert refused_read(land, engine, "data.parquet") == (
        "path 'data.parquet' leaves the flow's folder"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", ["shared/secret.parquet", "shared/*.parquet", "**/*.parquet"])
def test_a_symlinked_folder_in_the_path_is_refused(land: Land, engine: str, path: str) -> None:
    (land.alice / "shared").symlink_to(land.bob, target_is_directory=True)
    message = refused_read(land, engine, path)
    assert message.startswith(f"path {path!r}")
    assert message.endswith("leaves the flow's folder")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "given",
    [
        "../bob-private/secret.parquet",
        "../bob-private/*.parquet",
        "own0.parquet/../../bob-private/secret.parquet",
        "ABSOLUTE/secret.parquet",
        "ABSOLUTE/*.parquet",
    ],
)
def test_a_parameter_cannot_lead_out_with_dots_or_an_absolute_path(
    land: Land, engine: str, given: str
) -> None:
    given = given.replace("ABSOLUTE", str(land.bob))
    parameters = [{"name": "file", "type": "string", "default": "own0.parquet"}]
    outcome = run(reading({"$param": "file"}, parameters), base_dir=land.alice, engine=engine)
    assert outcome.outputs["out"].column("note").to_pylist() == ["alice-1"]
    with pytest.raises(FlowInvalid) as refused:
        run(
            reading({"$param": "file"}, parameters),
            {"file": given},
            base_dir=land.alice,
            engine=engine,
        )
    (issue,) = refused.value.issues
    assert issue.node == "src"
    assert issue.message == f"path {given!r} leaves the flow's folder"
    assert CANARY not in str(refused.value)
    land.bob_unchanged()


@pytest.mark.parametrize("engine", ENGINES)
def test_an_absolute_path_inside_the_folder_still_reads(land: Land, engine: str) -> None:
    parameters = [{"name": "file", "type": "string", "default": "own0.parquet"}]
    for given in (str(land.alice / "own0.parquet"), str(land.alice / "own*.parquet")):
        outcome = run(
            reading({"$param": "file"}, parameters),
            {"file": given},
            base_dir=land.alice,
            engine=engine,
        )
        assert outcome.status == "succeeded", outcome.error
        assert outcome.outputs["out"].column("note").to_pylist() == ["alice-1"]


def test_a_symlinked_spreadsheet_is_refused(land: Land) -> None:
    pd.DataFrame({"note": [CANARY]}).to_excel(land.bob / "book.xlsx", index=False)
    land.before = snapshot(land.bob)
    (land.alice / "book.xlsx").symlink_to(land.bob / "book.xlsx")
    sheet = flow(
        {"id": "sheet", "kind": "source.excel", "params": {"path": "book.xlsx"}},
        {"id": "out", "kind": "destination.display", "params": {}},
    )
    for engine in ENGINES:
        outcome = run(sheet, base_dir=land.alice, engine=engine)
        assert outcome.status == "failed"
        assert outcome.error == {
            "node": "sheet",
            "message": "path 'book.xlsx' leaves the flow's folder",
        }
        land.never_seen(everything(outcome))
    land.bob_unchanged()


# -- writing ---------------------------------------------------------------------------


def written(land: Land, name: str, fmt: str) -> list[int]:
    path = land.alice / name
    assert stat.S_ISREG(os.lstat(path).st_mode)
    frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    return sorted(frame["n"].tolist())


def write(target: Path, folder: Path | None = None, fail: bool = False) -> None:
    with written_atomically(target, folder) as partial:
        partial.write_text("n\n1\n")
        if fail:
            raise RuntimeError("stopped")


def no_partials(folder: Path) -> None:
    assert [p.name for p in folder.rglob("*.partial")] == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("planted", ["{}.partial", "tmp_{}.partial"])
def test_a_planted_partial_symlink_is_not_followed(
    land: Land, engine: str, fmt: str, planted: str
) -> None:
    name = f"out.{fmt}"
    (land.alice / planted.format(name)).symlink_to(land.bob / f"victim.{fmt}")
    outcome = run(writing(name, fmt), base_dir=land.alice, engine=engine)
    assert outcome.status == "succeeded", outcome.error
    assert written(land, name, fmt) == [2, 4]
    land.never_seen(everything(outcome))
    land.bob_unchanged()
    no_partials(land.alice)
    assert not (land.alice / f"tmp_{name}.partial").is_symlink()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_target_that_is_a_symlink_out_is_refused(land: Land, engine: str) -> None:
    (land.alice / "out.csv").symlink_to(land.bob / "victim.csv")
    outcome = run(writing("out.csv"), base_dir=land.alice, engine=engine)
    assert outcome.status == "failed"
    assert outcome.error == {"node": "save", "message": "path 'out.csv' leaves the flow's folder"}
    land.never_seen(everything(outcome))
    land.bob_unchanged()
    no_partials(land.alice)


def test_replacing_a_symlinked_target_replaces_the_link(land: Land) -> None:
    link = land.alice / "out.csv"
    link.symlink_to(land.bob / "victim.csv")
    with written_atomically(link, land.alice) as partial:
        partial.write_text("n\n1\n")
    assert not link.is_symlink()
    assert link.read_text() == "n\n1\n"
    land.bob_unchanged()
    no_partials(land.alice)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", ["shared/out.csv", "shared/new/out.csv"])
def test_a_symlinked_folder_is_not_written_through(land: Land, engine: str, path: str) -> None:
    (land.alice / "shared").symlink_to(land.bob, target_is_directory=True)
    outcome = run(writing(path), base_dir=land.alice, engine=engine)
    assert outcome.status == "failed"
    assert outcome.error == {"node": "save", "message": f"path {path!r} leaves the flow's folder"}
    land.never_seen(everything(outcome))
    land.bob_unchanged()


def test_a_folder_that_became_a_symlink_is_refused_at_write_time(land: Land) -> None:
    """The target was checked (resolved) earlier; the folder turns into a link since."""
    target = land.alice / "later" / "out.csv"
    (land.alice / "later").symlink_to(land.bob, target_is_directory=True)
    for folder in (land.alice, None):  # the DuckDB runner gives no folder: no link at all
        with pytest.raises(NodeError, match="'later': it is a symlink"):
            write(target, folder)
    land.bob_unchanged()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_failed_write_leaves_no_partial_and_keeps_the_old_file(
    land: Land, engine: str, fmt: str
) -> None:
    name = f"out.{fmt}"
    assert run(writing(name, fmt), base_dir=land.alice, engine=engine).status == "succeeded"
    before = (land.alice / name).read_bytes()
    (land.alice / f"{name}.partial").symlink_to(land.bob / f"victim.{fmt}")  # and a stale one
    failing = writing(name, fmt, expression="CAST(note AS INTEGER)")
    outcome = run(failing, base_dir=land.alice, engine=engine)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error["node"] == "save"
    assert (land.alice / name).read_bytes() == before
    no_partials(land.alice)
    assert sorted(p.name for p in land.alice.iterdir()) == [name, "own0.parquet"]
    land.bob_unchanged()


def test_a_writer_that_raises_leaves_no_partial(land: Land) -> None:
    with pytest.raises(RuntimeError, match="stopped"):
        write(land.alice / "x.csv", fail=True)
    assert sorted(p.name for p in land.alice.iterdir()) == ["own0.parquet"]


def test_a_spreadsheet_write_does_not_follow_a_planted_partial(land: Land) -> None:
    (land.alice / "out.xlsx.partial").symlink_to(land.bob / "victim.csv")
    save = flow(
        {"id": "src", "kind": "source.file", "params": {"path": "own0.parquet"}},
        {"id": "save", "kind": "destination.excel", "params": {"path": "out.xlsx"}},
    )
    for engine in ENGINES:
        outcome = run(save, base_dir=land.alice, engine=engine)
        assert outcome.status == "succeeded", outcome.error
        assert pd.read_excel(land.alice / "out.xlsx")["note"].tolist() == ["alice-1"]
    land.bob_unchanged()
    no_partials(land.alice)


# -- Python node limits ------------------------------------------------------------------

LIMITS = """
import resource
def transform(df):
    df["memory"] = resource.getrlimit(resource.RLIMIT_DATA)[0]
    df["cpu"] = resource.getrlimit(resource.RLIMIT_CPU)[0]
    return df
"""


def test_python_limits_are_capped_by_the_administrator(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB", "1024")
    monkeypatch.setenv("GALILEAN_FLOWS_PYTHON_MAX_SECONDS", "20")
    python = flow(
        {
            "id": "rows",
            "kind": "source.inline",
            "params": {"columns": [{"name": "id", "type": "BIGINT"}], "rows": [[1]]},
        },
        {
            "id": "py",
            "kind": "transform.python",
            "params": {"code": LIMITS, "memory_mb": 65536, "timeout_seconds": 3600},
        },
        {"id": "out", "kind": "destination.display", "params": {}},
    )
    for engine in ENGINES:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="galilean.flows"):
            outcome = run(python, base_dir=Path.cwd(), engine=engine)
        assert outcome.status == "succeeded", outcome.error
        (row,) = outcome.outputs["out"].to_pylist()
        assert row["memory"] == 1024 * 2**20
        assert row["cpu"] == 21  # the CPU limit is the timeout's second, plus one
        notes = [r.getMessage() for r in caplog.records]
        assert notes == [
            "py: timeout_seconds 3600 lowered to 20, the administrator's limit "
            "(GALILEAN_FLOWS_PYTHON_MAX_SECONDS)",
            "py: memory_mb 65536 lowered to 1024, the administrator's limit "
            "(GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB)",
        ]


def test_python_caps_default_and_refuse_nonsense() -> None:
    assert caps({}) == Limits(seconds=300, memory_mb=2048)
    assert caps({"GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB": "512"}).memory_mb == 512
    for bad in ("lots", "0", "-5", "inf", "nan"):
        with pytest.raises(ValueError, match="GALILEAN_FLOWS_PYTHON_MAX_SECONDS must be"):
            caps({"GALILEAN_FLOWS_PYTHON_MAX_SECONDS": bad})
    # What a flow asks below the caps stays; above, the cap wins, with a note.
    assert capped(Limits(seconds=5, memory_mb=512), caps({})) == (
        Limits(seconds=5, memory_mb=512),
        {},
    )
    limits, notes = capped(Limits(seconds=9999, memory_mb=65536), caps({}))
    assert (limits.seconds, limits.memory_mb) == (300, 2048)
    assert set(notes) == {"timeout_seconds", "memory_mb"}


# -- the flows database ------------------------------------------------------------------


def test_the_flows_database_is_private(tmp_path: Path) -> None:
    from galilean_services.flows_service.store import Store

    database = tmp_path / "made" / "flows.sqlite"
    store = Store(f"sqlite:///{database}")
    store.create_flow("alice", "f", "{}")
    files = [database, *database.parent.glob("flows.sqlite-*")]
    assert {p.name for p in files} >= {"flows.sqlite", "flows.sqlite-wal", "flows.sqlite-shm"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    store.close()

    # A database made before (readable by all) is made private when opened.
    database.chmod(0o644)
    Store(f"sqlite:///{database}").close()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    Store("sqlite://").close()  # in memory: no file to keep private
