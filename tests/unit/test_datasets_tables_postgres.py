"""The `tables` driver with its DuckLake catalog in a real PostgreSQL (as in compose,
where it is the hub's database): two datasets share the database, each in its own
schema; writes, time travel, diff, restore and the two-writer conflict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from galilean_services.datasets.model import Conflict
from galilean_services.datasets.tables import TablesDataset
from harness.postgres import Postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = Postgres().start()
    yield server
    server.stop()


def test_a_postgres_catalog_holds_snapshots_of_two_datasets(
    postgres: Postgres, tmp_path: Path
) -> None:
    url = postgres.url()
    first = pa.table({"id": [1, 2], "v": ["a", "b"]})
    with (
        TablesDataset(tmp_path / "one", catalog=url) as one,
        TablesDataset(tmp_path / "two", catalog=url) as two,
    ):
        one.write("t", first, key=["id"], author="ann")
        one.write("t", pa.table({"id": [2], "v": ["B"]}), "upsert", key=["id"], author="ann")
        two.write("t", pa.table({"id": [9], "v": ["z"]}), author="bob")
        assert not (tmp_path / "one" / "catalog.sqlite").exists()
        assert [s.number for s in one.snapshots()] == [1, 2]
        assert [s.number for s in two.snapshots()] == [1]
        assert one.read("t", 1).to_pylist() == first.to_pylist()
        changed = one.diff(1, 2)["tables"]["t"]["changed"]
        assert changed == [{"key": {"id": 2}, "cells": {"v": {"older": "b", "newer": "B"}}}]
        assert one.restore(1, "ann").number == 3
        assert sorted(one.read("t").column("v").to_pylist()) == ["a", "b"]


def test_two_writers_on_a_postgres_catalog(postgres: Postgres, tmp_path: Path) -> None:
    url = postgres.url()
    store = tmp_path / "shared"
    with TablesDataset(store, catalog=url) as setup:
        setup.write("t", pa.table({"id": [1]}), author="ann")
    second = TablesDataset(store, catalog=url)
    first = TablesDataset(
        store,
        catalog=url,
        before_commit=lambda: second.write("t", pa.table({"id": [3]}), "append", author="bob"),
    )
    try:
        with pytest.raises(Conflict):
            first.write("t", pa.table({"id": [2]}), "append", author="ann")
        assert sorted(first.read("t").column("id").to_pylist()) == [1, 3]
        head = first.head()
        assert head is not None
        assert (head.number, head.author) == (2, "bob")
    finally:
        first.close()
        second.close()
