"""The row-level diff of the `tables` driver when the table kept its identity: the sides
come from DuckLake's insertions and deletions, as they are over one snapshot, reduced to
each row's first and last state over several. Checked against results worked out by
hand: single-snapshot ranges, rows changed twice, deleted then re-inserted, NULL keys,
no key, and a range crossing a re-created table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from galilean_services.datasets.tables import TablesDataset


@pytest.fixture
def lake(tmp_path: Path) -> Iterator[TablesDataset]:
    with TablesDataset(tmp_path / "lake", allowed_root=tmp_path) as dataset:
        yield dataset


def people(
    ids: Sequence[int | None], names: Sequence[str], scores: Sequence[float | None]
) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "name": pa.array(names, pa.string()),
            "score": pa.array(scores, pa.float64()),
        }
    )


BASE = people([1, 2, 3, 4], ["ann", "bob", "cy", "dee"], [1.0, 2.0, 3.0, 4.0])


def rows_of(lake: TablesDataset, older: int, newer: int) -> dict[str, Any]:
    table = dict(lake.diff(older, newer, stats=False)["tables"]["people"])
    return {k: table[k] for k in ("status", "key", "counts", "added", "removed", "changed")}


def changed(key: int | None, **cells: tuple[object, object]) -> dict[str, Any]:
    return {
        "key": {"id": key},
        "cells": {name: {"older": old, "newer": new} for name, (old, new) in cells.items()},
    }


def test_one_snapshot_upsert_lists_changed_and_added_rows(lake: TablesDataset) -> None:
    lake.write("people", BASE, key=["id"], author="a")
    change = people([2, 4, 5], ["bob", "DEE", "eve"], [2.5, 4.0, 5.0])
    lake.write("people", change, "upsert", key=["id"], author="a")
    assert lake.lake_version(2) == lake.lake_version(1) + 1
    assert rows_of(lake, 1, 2) == {
        "status": "modified",
        "key": ["id"],
        "counts": {"added": 1, "removed": 0, "changed": 2},
        "added": [{"id": 5, "name": "eve", "score": 5.0}],
        "removed": [],
        "changed": [changed(2, score=(2.0, 2.5)), changed(4, name=("dee", "DEE"))],
    }
    back = rows_of(lake, 2, 1)
    assert back["counts"] == {"added": 0, "removed": 1, "changed": 2}
    assert back["removed"] == [{"id": 5, "name": "eve", "score": 5.0}]


def test_an_upsert_that_changes_nothing_is_no_change(lake: TablesDataset) -> None:
    lake.write("people", BASE, key=["id"], author="a")
    lake.write("people", people([3], ["cy"], [3.0]), "upsert", key=["id"], author="a")
    found = rows_of(lake, 1, 2)
    assert found["counts"] == {"added": 0, "removed": 0, "changed": 0}
    assert found["status"] == "unchanged"


def test_a_row_changed_twice_shows_its_first_and_last_values(lake: TablesDataset) -> None:
    lake.write("people", BASE, key=["id"], author="a")
    lake.write("people", people([2], ["bob"], [20.0]), "upsert", key=["id"], author="a")
    lake.write("people", people([2, 9], ["BOB", "ivy"], [200.0, 9.0]), "upsert", key=["id"],
               author="a")  # fmt: skip
    lake.write("people", people([9], ["IVY"], [9.5]), "upsert", key=["id"], author="a")
    assert rows_of(lake, 1, 4) == {
        "status": "modified",
        "key": ["id"],
        "counts": {"added": 1, "removed": 0, "changed": 1},
        "added": [{"id": 9, "name": "IVY", "score": 9.5}],
        "removed": [],
        "changed": [changed(2, name=("bob", "BOB"), score=(2.0, 200.0))],
    }
    assert rows_of(lake, 2, 4)["changed"] == [changed(2, name=("bob", "BOB"), score=(20.0, 200.0))]
    assert rows_of(lake, 3, 4)["changed"] == [changed(9, name=("ivy", "IVY"), score=(9.0, 9.5))]


def test_a_row_changed_back_is_no_change(lake: TablesDataset) -> None:
    lake.write("people", BASE, key=["id"], author="a")
    lake.write("people", people([1], ["ann"], [-1.0]), "upsert", key=["id"], author="a")
    lake.write("people", people([1], ["ann"], [1.0]), "upsert", key=["id"], author="a")
    assert rows_of(lake, 1, 3)["counts"] == {"added": 0, "removed": 0, "changed": 0}
    assert rows_of(lake, 2, 3)["changed"] == [changed(1, score=(-1.0, 1.0))]


def test_rows_deleted_then_inserted_again(lake: TablesDataset) -> None:
    lake.write("people", BASE, key=["id"], author="a")
    # a replace with the same columns deletes every row and inserts them under new row ids
    lake.write("people", people([1, 2, 3], ["ann", "bob", "CY"], [1.0, 2.0, 3.0]), author="a")
    lake.write("people", people([4], ["dee"], [4.5]), "append", author="a")
    assert rows_of(lake, 1, 2) == {
        "status": "modified",
        "key": ["id"],
        "counts": {"added": 0, "removed": 1, "changed": 1},
        "added": [],
        "removed": [{"id": 4, "name": "dee", "score": 4.0}],
        "changed": [changed(3, name=("cy", "CY"))],
    }
    assert rows_of(lake, 1, 3) == {
        "status": "modified",
        "key": ["id"],
        "counts": {"added": 0, "removed": 0, "changed": 2},
        "added": [],
        "removed": [],
        "changed": [changed(3, name=("cy", "CY")), changed(4, score=(4.0, 4.5))],
    }
    lake.write("people", BASE, author="a")
    assert rows_of(lake, 1, 4)["status"] == "unchanged"
    assert rows_of(lake, 2, 4)["counts"] == {"added": 1, "removed": 0, "changed": 1}


def test_a_row_added_and_removed_inside_the_range_is_not_shown(lake: TablesDataset) -> None:
    lake.write("people", BASE, key=["id"], author="a")
    lake.write("people", people([7], ["tmp"], [7.0]), "append", author="a")
    lake.write("people", people([7], ["TMP"], [7.0]), "upsert", key=["id"], author="a")
    lake.write("people", BASE, author="a")
    assert rows_of(lake, 1, 4)["counts"] == {"added": 0, "removed": 0, "changed": 0}
    assert rows_of(lake, 2, 4)["removed"] == [{"id": 7, "name": "tmp", "score": 7.0}]
    assert rows_of(lake, 3, 4)["removed"] == [{"id": 7, "name": "TMP", "score": 7.0}]


def test_null_keys_and_null_cells(lake: TablesDataset) -> None:
    base = people([1, None, 3], ["ann", "nobody", "cy"], [None, 2.0, 3.0])
    lake.write("people", base, key=["id"], author="a")
    lake.write("people", people([1, None, 3], ["ann", "nobody", "cy"], [1.0, 2.5, None]),
               author="a")  # fmt: skip
    assert rows_of(lake, 1, 2) == {
        "status": "modified",
        "key": ["id"],
        "counts": {"added": 0, "removed": 0, "changed": 3},
        "added": [],
        "removed": [],
        "changed": [
            changed(1, score=(None, 1.0)),
            changed(3, score=(3.0, None)),
            changed(None, score=(2.0, 2.5)),
        ],
    }
    # a NULL key never matches in an upsert: the row comes in beside the old one, and only
    # changed rows are compared, so it shows as added
    lake.write("people", people([None], ["nobody"], [2.5]), "upsert", key=["id"], author="a")
    found = rows_of(lake, 2, 3)
    assert found["counts"] == {"added": 1, "removed": 0, "changed": 0}
    assert found["added"] == [{"id": None, "name": "nobody", "score": 2.5}]
    assert rows_of(lake, 1, 3)["counts"] == {"added": 0, "removed": 0, "changed": 4}


def test_without_a_key_a_change_is_a_row_removed_and_one_added(lake: TablesDataset) -> None:
    lake.write("people", BASE, author="a")
    lake.write("people", people([5], ["eve"], [5.0]), "append", author="a")
    lake.write("people", people([1, 2, 3, 4, 5], ["ann", "bob", "cy", "dee", "eve"],
                                [1.0, 2.0, 3.5, 4.0, 5.0]), author="a")  # fmt: skip
    assert rows_of(lake, 1, 2) == {
        "status": "modified",
        "key": None,
        "counts": {"added": 1, "removed": 0, "changed": 0},
        "added": [{"id": 5, "name": "eve", "score": 5.0}],
        "removed": [],
        "changed": [],
    }
    assert rows_of(lake, 1, 3) == {
        "status": "modified",
        "key": None,
        "counts": {"added": 2, "removed": 1, "changed": 0},
        "added": [{"id": 3, "name": "cy", "score": 3.5}, {"id": 5, "name": "eve", "score": 5.0}],
        "removed": [{"id": 3, "name": "cy", "score": 3.0}],
        "changed": [],
    }


def test_duplicate_rows_without_a_key_are_counted(lake: TablesDataset) -> None:
    twice = people([1, 1, 2], ["ann", "ann", "bob"], [1.0, 1.0, 2.0])
    lake.write("people", twice, author="a")
    lake.write("people", people([1, 2, 2], ["ann", "bob", "bob"], [1.0, 2.0, 2.0]), author="a")
    found = rows_of(lake, 1, 2)
    assert found["counts"] == {"added": 1, "removed": 1, "changed": 0}
    assert found["removed"] == [{"id": 1, "name": "ann", "score": 1.0}]
    assert found["added"] == [{"id": 2, "name": "bob", "score": 2.0}]


def test_listed_rows_stop_at_the_limit_but_counts_do_not(lake: TablesDataset) -> None:
    ids = list(range(50))
    lake.write("people", people(ids, [f"p{i}" for i in ids], [float(i) for i in ids]),
               key=["id"], author="a")  # fmt: skip
    odd = [i for i in ids if i % 2]
    lake.write("people", people(odd, [f"p{i}" for i in odd], [i + 0.5 for i in odd]),
               "upsert", key=["id"], author="a")  # fmt: skip
    table = lake.diff(1, 2, limit=3, stats=False)["tables"]["people"]
    assert table["counts"] == {"added": 0, "removed": 0, "changed": 25}
    assert table["changed"] == [changed(i, score=(float(i), i + 0.5)) for i in (1, 3, 5)]


def test_a_column_added_in_the_range_compares_the_common_columns(lake: TablesDataset) -> None:
    lake.write("people", BASE, key=["id"], author="a")
    lake.connection.execute("BEGIN")
    lake.connection.execute("ALTER TABLE lake.main.people ADD COLUMN extra INTEGER")
    lake.connection.execute("COMMIT")
    wider = pa.table({"id": [2], "name": ["bob"], "score": [2.5], "extra": [7]})
    lake.write("people", wider, "upsert", key=["id"], author="a")
    found = lake.diff(1, 2, stats=False)["tables"]["people"]
    assert found["columns"] == {"added": ["extra"], "removed": []}
    assert found["counts"] == {"added": 0, "removed": 0, "changed": 1}
    assert found["changed"] == [changed(2, score=(2.0, 2.5))]
