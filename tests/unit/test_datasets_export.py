"""Exporting a tables dataset's table to CSV, Parquet and Excel (datasets/export.py): each
format read back equals the snapshot's rows, a pinned snapshot exports its own rows, bad
input names its field, Excel's row limit is refused before anything is written, progress
is reported, a kill -9 mid-export leaves the target as it was, and the HTTP route."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets_app import Service

from galilean_services.datasets.duckdb_ext import load_extension
from galilean_services.datasets.export import (
    EXCEL_MAX_ROWS,
    export_request,
    export_table,
)
from galilean_services.datasets.export_progress import reported, rows_done
from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.model import Conflict, DatasetError, Invalid, NotFound
from galilean_services.datasets.tables import TablesDataset

ROWS = pa.table(
    {
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": ["ann", 'bo, "quoted"', None],
        "score": [0.5, 1.25, None],
        "day": [dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(2025, 12, 31)],
        "at": [dt.datetime(2024, 1, 1, 12, 30), dt.datetime(2024, 6, 1, 0, 0, 1), None],
        "ok": [True, False, True],
    }
)
READERS = {
    "csv": "read_csv({path})",
    "parquet": "read_parquet({path})",
    "xlsx": "read_xlsx({path})",
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def lake(home: Path) -> Iterator[TablesDataset]:
    with TablesDataset(home / ".galilean" / "datasets" / "people", allowed_root=home) as opened:
        opened.write("people", ROWS, author="ann", message="first")
        yield opened


def read_back(path: Path, fmt: str) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The file's rows (in order) and column types, as DuckDB reads each format."""
    with duckdb.connect() as connection:
        load_extension(connection, "excel")
        source = READERS[fmt].format(path="'" + str(path).replace("'", "''") + "'")
        described = connection.execute(f"DESCRIBE SELECT * FROM {source}")  # noqa: S608
        types = [str(row[1]) for row in described.fetchall()]
        return connection.execute(f"SELECT * FROM {source}").fetchall(), types  # noqa: S608


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "partial" in p.name)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_each_format_reads_back_as_the_snapshot(lake: TablesDataset, home: Path, fmt: str) -> None:
    made = export_table(lake, "people", f"out/people.{fmt}")
    target = home / "out" / f"people.{fmt}"
    assert (made.path, made.format, made.table, made.snapshot, made.rows) == (
        f"out/people.{fmt}",
        fmt,
        "people",
        1,
        3,
    )
    assert made.bytes == target.stat().st_size > 0
    rows, types = read_back(target, fmt)
    expected = [tuple(row.values()) for row in ROWS.to_pylist()]
    # Excel has one number type: integers come back as doubles; every other type stays.
    if fmt == "xlsx":
        expected = [(float(row[0]), *row[1:]) for row in expected]
    assert rows == expected
    integer = "DOUBLE" if fmt == "xlsx" else "BIGINT"
    assert types == [integer, "VARCHAR", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN"]
    assert leftovers(target.parent) == []


def test_parquet_keeps_the_exact_schema(lake: TablesDataset, home: Path) -> None:
    export_table(lake, "people", "people.data", "parquet")
    written = pq.read_table(home / "people.data")
    assert written.schema.equals(lake.read("people").schema)
    assert written.to_pylist() == lake.read("people").to_pylist()


def test_a_pinned_snapshot_exports_its_own_rows(lake: TablesDataset, home: Path) -> None:
    lake.write("people", pa.table({"id": [9], "name": ["zed"]}), author="ann")
    old = export_table(lake, "people", "old.parquet", number=1)
    new = export_table(lake, "people", "new.parquet")
    assert (old.snapshot, old.rows, new.snapshot, new.rows) == (1, 3, 2, 1)
    assert pq.read_table(home / "old.parquet").to_pylist() == ROWS.to_pylist()
    assert pq.read_table(home / "new.parquet").to_pylist() == [{"id": 9, "name": "zed"}]


def test_an_existing_file_needs_overwrite(lake: TablesDataset, home: Path) -> None:
    (home / "taken.csv").write_text("mine\n")
    with pytest.raises(Conflict) as refused:
        export_table(lake, "people", "taken.csv")
    assert refused.value.field == "path"
    assert (home / "taken.csv").read_text() == "mine\n"
    export_table(lake, "people", "taken.csv", overwrite=True)
    assert read_back(home / "taken.csv", "csv")[0][0][:2] == (1, "ann")


BAD = [
    ({"path": "../out.csv"}, Invalid, "path"),
    ({"path": "/tmp/out.csv"}, Invalid, "path"),
    ({"path": ".galilean/datasets/x.csv"}, Invalid, "path"),
    ({"path": "sub"}, Invalid, "path"),  # a folder (made below)
    ({"path": "escape/out.csv"}, Invalid, "path"),  # a symlink to outside (made below)
    ({"path": "linked.csv"}, Invalid, "path"),  # a symlink to a file outside
    ({"path": ""}, Invalid, "path"),
    ({"path": 7}, Invalid, "path"),
    ({"format": "json"}, Invalid, "format"),
    ({"path": "out.txt", "format": None}, Invalid, "format"),
    ({"table": "nope"}, NotFound, "table"),
    ({"table": ""}, Invalid, "table"),
    ({"snapshot": 99}, NotFound, "snapshot"),
    ({"snapshot": "1"}, Invalid, "snapshot"),
    ({"snapshot": True}, Invalid, "snapshot"),
    ({"overwrite": "yes"}, Invalid, "overwrite"),
]


@pytest.mark.parametrize(("change", "error", "field"), BAD)
def test_bad_input_names_its_field(
    lake: TablesDataset,
    home: Path,
    tmp_path: Path,
    change: dict[str, Any],
    error: type[DatasetError],
    field: str,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("theirs\n")
    (home / "sub").mkdir()
    (home / "escape").symlink_to(outside)
    (home / "linked.csv").symlink_to(outside / "secret.csv")
    args = {"table": "people", "path": "out.csv", "format": "csv", **change}
    with pytest.raises(error) as refused:
        export_request(lake, args)
    assert refused.value.field == field, refused.value.message
    assert sorted(p.name for p in outside.iterdir()) == ["secret.csv"]
    assert (outside / "secret.csv").read_text() == "theirs\n"
    assert not (home / "out.csv").exists()


def test_a_files_dataset_is_refused_naming_format(tmp_path: Path) -> None:
    work = tmp_path / "images"
    work.mkdir()
    files = FilesDataset(work, tmp_path / "store")
    with pytest.raises(Invalid) as refused:
        export_request(files, {"table": "x", "path": "out.csv"})
    assert refused.value.field == "format"


def test_excel_refuses_more_rows_than_a_sheet_holds(home: Path) -> None:
    store = home / ".galilean" / "datasets" / "big"
    too_many = EXCEL_MAX_ROWS + 1
    with TablesDataset(store, allowed_root=home) as big:
        big.write("big", pa.table({"id": pa.array(range(too_many), pa.int32())}), author="a")
        with pytest.raises(Invalid) as refused:
            export_table(big, "big", "big.xlsx")
        assert refused.value.field == "format"
        assert f"{too_many:,}" in refused.value.message
        assert sorted(p.name for p in home.iterdir()) == [".galilean"]  # nothing written
        # The same table fits CSV.
        assert export_table(big, "big", "big.csv").rows == too_many


def test_progress_counts_rows_up_to_the_total(lake: TablesDataset) -> None:
    seen: list[tuple[int, int]] = []
    made = export_table(lake, "people", "p.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (made.rows, made.rows) == (3, 3)


def test_progress_is_reported_while_a_long_copy_runs(tmp_path: Path) -> None:
    assert (rows_done(-1, 10), rows_done(50.0, 10), rows_done(120.0, 10)) == (None, 5, 10)
    total = 3_000_000
    seen: list[tuple[int, int]] = []
    with duckdb.connect() as connection:
        made = "CREATE TABLE t AS SELECT range AS id, random() AS v FROM range(?)"
        connection.execute(made, [total])
        with reported(connection, total, lambda d, t: seen.append((d, t)), every=0.005):
            connection.execute(f"COPY t TO '{tmp_path / 't.csv'}' (FORMAT csv)")
        assert connection.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (
            False,
        )
    done = [d for d, _ in seen]
    assert done, "no progress while the COPY ran"
    assert done == sorted(set(done)), "never going back"
    assert done[0] > 0
    assert done[-1] < total
    assert {t for _, t in seen} == {total}


CHILD = """
import sys
from pathlib import Path
from galilean_services.datasets.export import export_table
from galilean_services.datasets.tables import TablesDataset

def stop_at_the_end(done, total):
    if done == total:  # written to the partial file, not yet renamed
        print("written", flush=True)
        sys.stdin.read()

home = Path(sys.argv[1])
lake = TablesDataset(home / ".galilean" / "datasets" / "people", allowed_root=home)
export_table(lake, "people", "out.parquet", overwrite=True, progress=stop_at_the_end)
print("renamed", flush=True)
"""


def test_kill_9_mid_export_leaves_the_target_as_it_was(lake: TablesDataset, home: Path) -> None:
    many = pa.table({"id": range(200_000), "name": ["x" * 20] * 200_000})
    lake.write("people", many, author="ann")
    (home / "out.parquet").write_bytes(b"the previous export")
    lake.close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "written\n"  # blocks until the child is there
    partial = home / "out.parquet.partial"
    assert partial.stat().st_size > 100_000, "the child wrote its rows"
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert (home / "out.parquet").read_bytes() == b"the previous export"
    with TablesDataset(home / ".galilean" / "datasets" / "people", allowed_root=home) as again:
        made = export_table(again, "people", "out.parquet", overwrite=True)
    assert made.rows == 200_000
    assert pq.read_table(home / "out.parquet").num_rows == 200_000
    assert leftovers(home) == []  # the killed export's partial file is gone too


# -- over HTTP -----------------------------------------------------------------------------


def test_the_export_route(datasets_app: Service) -> None:
    app = datasets_app
    home = app.folder_of("alice")
    dataset = app.ok("POST", "/api/datasets", {"name": "sales", "driver": "tables"}, status=201)
    url = f"/api/datasets/{dataset['id']}/export"
    with TablesDataset(home / ".galilean" / "datasets" / "sales", allowed_root=home) as sales:
        sales.write("sales", ROWS, author="alice")
        sales.write("sales", ROWS.slice(0, 1), author="alice")
    made = app.ok("POST", url, {"table": "sales", "path": "x/sales.xlsx", "snapshot": 1}, 201)
    assert {k: made[k] for k in ("path", "format", "snapshot", "rows")} == {
        "path": "x/sales.xlsx",
        "format": "xlsx",
        "snapshot": 1,
        "rows": 3,
    }
    assert made["bytes"] == (home / "x" / "sales.xlsx").stat().st_size
    assert len(read_back(home / "x" / "sales.xlsx", "xlsx")[0]) == 3
    head = app.ok("POST", url, {"table": "sales", "path": "head.csv"}, 201)
    assert (head["snapshot"], head["rows"]) == (2, 1)
    refusals = [
        ({"table": "sales", "path": "head.csv"}, 409, "path"),
        ({"table": "sales", "path": "../up.csv"}, 400, "path"),
        ({"table": "sales", "path": "a.csv", "format": "json"}, 400, "format"),
        ({"table": "sales", "path": "a.txt"}, 400, "format"),
        ({"table": "sales", "path": "a.csv", "snapshot": 0}, 400, "snapshot"),
        ({"table": "sales", "path": "a.csv", "snapshot": 42}, 404, "snapshot"),
        ({"table": "gone", "path": "a.csv"}, 404, "table"),
        ({"path": "a.csv"}, 400, "table"),
        ({"table": "sales", "path": "a.csv", "overwrite": 1}, 400, "overwrite"),
        ({"table": "sales", "path": "a.csv", "colour": "red"}, 400, "colour"),
    ]
    for body, status, field in refusals:
        reply = app.call("POST", url, body)
        assert reply.status_code == status, (body, reply.text)
        assert reply.json()["errors"][0]["field"] == field, (body, reply.text)
    assert not (home / "a.csv").exists()
    assert app.call("POST", url, {"table": "sales", "path": "b.csv"}, who="bob").status_code in (
        403,
        404,
    )
    (home / "pics").mkdir(exist_ok=True)
    files = app.ok("POST", "/api/datasets", {"name": "pics", "folder": "pics"}, status=201)
    reply = app.call("POST", f"/api/datasets/{files['id']}/export", {"path": "a.csv"})
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["field"] == "format"
