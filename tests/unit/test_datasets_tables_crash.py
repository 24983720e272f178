"""A `tables` write killed with SIGKILL after its data files are written and before its
commit leaves the previous head, no half-visible snapshot, and files gc removes."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from galilean_services.datasets.tables import TablesDataset

CHILD = """
import sys
from pathlib import Path
import pyarrow as pa
from galilean_services.datasets.tables import TablesDataset

def wait_to_be_killed():
    print("data written", flush=True)
    sys.stdin.read()

lake = TablesDataset(Path(sys.argv[1]), before_commit=wait_to_be_killed)
rows = 200_000
lake.write("events", pa.table({"id": range(rows), "v": [1.0] * rows}), "append", author="k")
print("committed", flush=True)
"""


def parquet_files(store: Path) -> set[Path]:
    return set((store / "data").rglob("*.parquet"))


def test_kill_9_in_the_middle_of_a_write_leaves_the_previous_head(tmp_path: Path) -> None:
    store = tmp_path / "lake"
    first = pa.table({"id": [1, 2], "v": [0.5, 0.5]})
    with TablesDataset(store) as lake:
        lake.write("events", first, author="ann")
    committed_files = parquet_files(store)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "data written\n"  # blocks until the child is there
    assert parquet_files(store) - committed_files, "the child wrote its data files"
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    with TablesDataset(store) as lake:
        head = lake.head()
        assert head is not None
        assert head.number == 1
        assert [s.number for s in lake.snapshots()] == [1]
        assert lake.read("events").to_pylist() == first.to_pylist()
        collected = lake.gc()
        assert collected.objects_removed >= 1
        assert collected.bytes_freed > 0
        assert parquet_files(store) == committed_files
        second = lake.write("events", first, "append", author="ann")
        assert (second.number, second.stats["rows"]) == (2, 4)
