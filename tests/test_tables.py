"""DataFrames as tables paged from a real kernel: the output holds one page and the true
row count; pages, sorting, filtering, export and profiling go through the comm."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from kernel_client import Kernel

MIME = "application/vnd.galilean.table+json"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    running = Kernel(tmp_path_factory.mktemp("tables"))
    try:
        yield running
    finally:
        running.stop()


def test_a_big_frame_sends_one_page_and_says_how_many_rows(kernel: Kernel) -> None:
    reply = kernel.run(
        "import numpy as np, pandas as pd\n"
        "big = pd.DataFrame({'id': np.arange(1_000_000), 'g': np.arange(1_000_000) % 7,\n"
        "                    'name': [f'n{i}' for i in range(1_000_000)]})\n"
        "big"
    )
    assert reply["error"] is None, reply["error"]
    table = reply["result"][MIME]
    assert table["total"] == 1_000_000
    assert len(table["rows"]) == table["page_size"] == 50
    assert [c["name"] for c in table["columns"]] == ["id", "g", "name"]
    assert len(json.dumps(reply["result"])) < 100_000  # the notebook stays small

    view = table["view"]
    page = kernel.comm_request("galilean.table", {"action": "page", "view": view,
                                                  "offset": 999_990, "limit": 20})  # fmt: skip
    assert page["ok"]
    assert page["total"] == 1_000_000
    assert [r[0] for r in page["rows"]] == list(range(999_990, 1_000_000))
    sorted_page = kernel.comm_request("galilean.table", {
        "action": "page", "view": view, "limit": 3,
        "sort": [{"column": "g", "descending": True}, {"column": "id", "descending": True}],
        "filter": [{"column": "name", "op": "contains", "value": "99"}],
    })  # fmt: skip
    expected = sorted(
        (i for i in range(1_000_000) if "99" in f"n{i}"), key=lambda i: (i % 7, i), reverse=True
    )
    assert sorted_page["total"] == len(expected)
    assert [r[0] for r in sorted_page["rows"]] == expected[:3]
    bad = kernel.comm_request("galilean.table", {"action": "page", "view": view,
                                                 "sort": [{"column": "nope"}]})  # fmt: skip
    assert bad == {"request": None, "ok": False, "error": "sort: no column 'nope'"}


def test_export_writes_the_filtered_sorted_rows(kernel: Kernel) -> None:
    reply = kernel.run("pd.DataFrame({'x': [3, 1, 2], 'y': ['c', 'a', 'b']})")
    view = reply["result"][MIME]["view"]
    for fmt in ("csv", "parquet", "xlsx"):
        done = kernel.comm_request("galilean.table", {
            "action": "export", "view": view, "format": fmt, "name": "small",
            "sort": [{"column": "x"}], "filter": [{"column": "x", "op": ">=", "value": 2}],
        })  # fmt: skip
        assert done["ok"], done
        path = Path(done["path"])
        frame = {"csv": pd.read_csv, "parquet": pd.read_parquet, "xlsx": pd.read_excel}[fmt](path)
        assert frame["y"].tolist() == ["b", "c"]
        assert not list(path.parent.glob("*.partial.*"))
    refused = kernel.comm_request("galilean.table", {"action": "export", "view": view,
                                                     "format": "docx"})  # fmt: skip
    assert refused["ok"] is False
    assert "use csv, xlsx or parquet" in refused["error"]


def test_profile_of_a_large_frame_says_it_is_a_sample(kernel: Kernel) -> None:
    view = kernel.run("big")["result"][MIME]["view"]
    done = kernel.comm_request("galilean.table", {"action": "profile", "view": view}, timeout=300)
    assert done["ok"]
    assert done["sampled"]
    assert done["rows"] == 100_000
    assert "a random sample of 100,000 of 1,000,000 rows" in Path(done["path"]).read_text()
    gone = kernel.comm_request("galilean.table", {"action": "page", "view": "0" * 32})
    assert "no longer in the kernel" in gone["error"]
