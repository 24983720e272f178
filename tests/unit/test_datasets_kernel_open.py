"""`datasets.frame(...)` and `datasets.folder(...)` in a notebook: your own datasets read
from your folder at any snapshot — a table as a DataFrame (pandas, polars, arrow), a
labelled image set's items or a folder's files as rows, a files snapshot as a folder
(copied once, complete or not at all); another user's dataset and bad input are refused
naming the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from labelled_images import make_labelled

from galilean_server.kernel.api import Datasets, DatasetsError
from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.files_checkout import CHECKOUTS, checkout
from galilean_services.datasets.locate import store_of
from galilean_services.datasets.tables import TablesDataset
from galilean_services.folders import HOME_ENV


def mine(home: Path) -> Datasets:
    return Datasets({HOME_ENV: str(home), "JUPYTERHUB_USER": "alice"})


def test_a_table_at_any_snapshot_as_a_dataframe(tmp_path: Path) -> None:
    with TablesDataset(store_of(tmp_path, "sales"), allowed_root=tmp_path) as lake:
        lake.write("orders", pa.table({"id": [1, 2], "amount": [5.0, 7.5]}), author="alice")
        lake.write("orders", pa.table({"id": [3], "amount": [1.0]}), "append", author="alice")
    datasets = mine(tmp_path)
    assert datasets.frame("sales")["id"].tolist() == [1, 2, 3]  # the head, its one table
    assert sorted(datasets.frame("sales", "orders", snapshot=1)["id"].tolist()) == [1, 2]
    assert datasets.frame("sales", engine="polars")["amount"].sum() == 13.5
    assert datasets.frame("sales", engine="arrow").num_rows == 3
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: datasets.frame("sales", "nope"), "table"),
        (lambda: datasets.frame("sales", snapshot=9), "snapshot"),
        (lambda: datasets.frame("sales", engine="excel"), "engine"),
        (lambda: datasets.frame("missing"), "name"),
        (lambda: datasets.frame("bob/sales"), "name"),
        (lambda: datasets.folder("sales"), "name"),
    ]
    for call, field in calls:
        with pytest.raises(DatasetsError) as refused:
            call()
        assert refused.value.field == field, str(refused.value)


def test_a_files_snapshot_as_a_folder_and_as_rows(tmp_path: Path) -> None:
    work = tmp_path / "pets"
    make_labelled(work, "yolo")
    dataset = FilesDataset(work, store_of(tmp_path, "pets"))
    dataset.snapshot("labelled", "alice")
    (work / "images" / "train" / "a.png").unlink()
    dataset.snapshot("one image fewer", "alice")
    datasets = mine(tmp_path)

    first = datasets.folder("pets", 1)
    assert (first / "images" / "train" / "a.png").is_file()  # snapshot 1, not the head
    assert not (datasets.folder("pets") / "images" / "train" / "a.png").exists()
    assert datasets.folder("pets", 1) == first  # copied once
    items = datasets.frame("pets", snapshot=1)
    assert len(items) == 8
    row = items.set_index("id").loc["images/train/a.png"]
    assert (row["split"], row["width"], row["boxes"], list(row["labels"])) == (
        "train",
        64,
        2,
        ["cat", "dog"],
    )
    assert len(datasets.frame("pets")) == 7
    with pytest.raises(DatasetsError) as missing:
        datasets.folder("pets", 7)
    assert missing.value.status == 404


def test_plain_files_are_rows_and_only_the_newest_checkouts_stay(tmp_path: Path) -> None:
    work = tmp_path / "docs"
    work.mkdir()
    store = store_of(tmp_path, "docs")
    dataset = FilesDataset(work, store)
    for number in range(1, 5):
        (work / "notes.txt").write_text("v" * number)
        dataset.snapshot(f"v{number}", "alice")
    files = mine(tmp_path).frame("docs")
    assert files.to_dict("records") == [
        {"path": "notes.txt", "size": 4, "sha256": files["sha256"][0]}
    ]
    for number in range(1, 5):
        assert (checkout(store, number, keep=2) / "notes.txt").read_text() == "v" * number
    kept = sorted(p.name for p in (store / CHECKOUTS).iterdir())
    assert kept == ["3", "4"]  # no partial folder left either
