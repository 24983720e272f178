"""DataFrames as tables paged from a real kernel: the output holds one page and the true
row count; pages, sorting, filtering, export and profiling go through the comm."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def ask(kernel: Kernel, data: dict[str, Any], timeout: float = 120) -> tuple[Any, list[Any]]:
    """Send one request on a new comm; the final answer and the progress messages before it
    (export and profile run in a worker thread and report progress first)."""
    comm_id = uuid.uuid4().hex
    session, shell = kernel.client.session, kernel.client.shell_channel
    shell.send(
        session.msg("comm_open", {"comm_id": comm_id, "target_name": "galilean.table", "data": {}})
    )
    shell.send(session.msg("comm_msg", {"comm_id": comm_id, "data": {"request": 1, **data}}))
    progress = []
    while True:
        message = kernel.client.get_iopub_msg(timeout=timeout)
        content = message["content"]
        if message["msg_type"] == "comm_msg" and content.get("comm_id") == comm_id:
            if "progress" in content["data"]:
                progress.append(content["data"]["progress"])
            else:
                return content["data"], progress


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
    page = kernel.comm_request(
        "galilean.table", {"action": "page", "view": view, "offset": 999_990, "limit": 20}
    )
    assert page["ok"]
    assert page["total"] == 1_000_000
    assert [r[0] for r in page["rows"]] == list(range(999_990, 1_000_000))
    sorted_page = kernel.comm_request(
        "galilean.table",
        {
            "action": "page",
            "view": view,
            "limit": 3,
            "sort": [{"column": "g", "descending": True}, {"column": "id", "descending": True}],
            "filter": [{"column": "name", "op": "contains", "value": "99"}],
        },
    )
    expected = sorted(
        (i for i in range(1_000_000) if "99" in f"n{i}"), key=lambda i: (i % 7, i), reverse=True
    )
    assert sorted_page["total"] == len(expected)
    assert [r[0] for r in sorted_page["rows"]] == expected[:3]
    bad = kernel.comm_request(
        "galilean.table", {"action": "page", "view": view, "sort": [{"column": "nope"}]}
    )
    assert bad == {"request": None, "ok": False, "error": "sort: no column 'nope'"}


def test_export_writes_the_filtered_sorted_rows(kernel: Kernel) -> None:
    reply = kernel.run("pd.DataFrame({'x': [3, 1, 2], 'y': ['c', 'a', 'b']})")
    view = reply["result"][MIME]["view"]
    for fmt in ("csv", "parquet", "xlsx"):
        done, _ = ask(
            kernel,
            {
                "action": "export",
                "view": view,
                "format": fmt,
                "name": "small",
                "sort": [{"column": "x"}],
                "filter": [{"column": "x", "op": ">=", "value": 2}],
            },
        )
        assert done["ok"], done
        path = Path(done["path"])
        frame = {"csv": pd.read_csv, "parquet": pd.read_parquet, "xlsx": pd.read_excel}[fmt](path)
        assert frame["y"].tolist() == ["b", "c"]
        assert not list(path.parent.glob("*.partial.*"))
    refused, _ = ask(kernel, {"action": "export", "view": view, "format": "docx"})
    assert refused["ok"] is False
    assert "use csv, xlsx or parquet" in refused["error"]


def test_profile_of_a_large_frame_says_it_is_a_sample(kernel: Kernel) -> None:
    view = kernel.run("big")["result"][MIME]["view"]
    done, progress = ask(kernel, {"action": "profile", "view": view}, timeout=300)
    assert done["ok"], done
    assert any(p.get("percent") == 100 for p in progress), progress
    assert done["sampled"]
    assert done["rows"] == 100_000
    assert "a random sample of 100,000 of 1,000,000 rows" in Path(done["path"]).read_text()
    gone = kernel.comm_request("galilean.table", {"action": "page", "view": "0" * 32})
    assert "no longer in the kernel" in gone["error"]


def page(kernel: Kernel, view: str, **query: Any) -> Any:
    return kernel.comm_request("galilean.table", {"action": "page", "view": view, **query})


def test_grouped_frames_show_their_index_and_multi_level_columns(kernel: Kernel) -> None:
    reply = kernel.run(
        "sales = pd.DataFrame({'city': ['Lyon', 'Paris', 'Lyon', 'Nantes', 'Paris'],\n"
        "                      'shop': ['a', 'b', 'b', 'a', 'a'],\n"
        "                      'amount': [10.5, 20.25, 30.125, 1.0, 2.0], 'n': [1, 2, 3, 4, 5]})\n"
        "sales.groupby('city').sum(numeric_only=True)"
    )
    table = reply["result"][MIME]
    assert table["index"] == [{"id": "i0", "name": "city", "type": "object", "kind": "text"}]
    assert [(c["id"], c["name"], c["kind"]) for c in table["columns"]] == [
        ("c0", "amount", "number"),
        ("c1", "n", "number"),
    ]
    assert table["rows"] == [["Lyon", 40.625, 4], ["Nantes", 1.0, 4], ["Paris", 22.25, 7]]
    assert table["precision"] == 6  # pandas' display.precision, for formatting floats
    # Sorting and filtering by the index level, by its id or its name.
    view = table["view"]
    assert page(kernel, view, sort=[{"column": "i0", "descending": True}])["rows"][0][0] == "Paris"
    found = page(kernel, view, filter=[{"column": "city", "op": "contains", "value": "AN"}])
    assert found["rows"] == [["Nantes", 1.0, 4]]
    assert found["total"] == 1

    described = kernel.run("sales.describe()")["result"][MIME]
    assert described["index"][0]["name"] == ""
    assert described["index"][0]["kind"] == "text"
    assert [r[0] for r in described["rows"]] == [
        "count",
        "mean",
        "std",
        "min",
        "25%",
        "50%",
        "75%",
        "max",
    ]
    assert described["rows"][0][1:] == [5.0, 5.0]

    multi = kernel.run("sales.groupby(['city', 'shop']).agg({'amount': ['sum', 'max']})")
    table = multi["result"][MIME]
    assert [i["name"] for i in table["index"]] == ["city", "shop"]
    assert [c["labels"] for c in table["columns"]] == [["amount", "sum"], ["amount", "max"]]
    assert table["rows"][0] == ["Lyon", "a", 10.5, 10.5]
    view = table["view"]
    rows = page(kernel, view, sort=[{"column": "i1"}, {"column": "c0", "descending": True}])
    assert [r[:2] for r in rows["rows"]] == [
        ["Lyon", "a"],
        ["Paris", "a"],
        ["Nantes", "a"],
        ["Lyon", "b"],
        ["Paris", "b"],
    ]
    # Default row numbers are not an index column; a filtered frame's labels are.
    assert kernel.run("sales")["result"][MIME]["index"] == []
    kept = kernel.run("sales[sales.n > 3]")["result"][MIME]
    assert kept["index"][0]["type"] == "int64"
    assert [r[0] for r in kept["rows"]] == [3, 4]


def test_filters_compare_numbers_and_dates_and_find_empty_cells(kernel: Kernel) -> None:
    reply = kernel.run(
        "orders = pd.DataFrame({'price': [5.0, None, 12.5, 30.0, 7.25],\n"
        "    'day': pd.to_datetime(['2024-01-01 09:00', '2024-01-02 10:00', None,\n"
        "                           '2024-02-01 00:00', '2024-01-02 23:59']),\n"
        "    'note': ['a', '', None, 'x', 'y'], 'n': [1, 2, 3, 4, 5]})\n"
        "orders"
    )
    table = reply["result"][MIME]
    assert [c["kind"] for c in table["columns"]] == ["number", "date", "text", "number"]
    view = table["view"]

    def ns(*filters: dict[str, Any]) -> list[int]:
        found = page(kernel, view, filter=list(filters), sort=[{"column": "n"}])
        assert found["ok"], found
        return [row[3] for row in found["rows"]]

    assert ns({"column": "price", "op": ">", "value": "7"}) == [3, 4, 5]
    assert ns({"column": "price", "op": "<=", "value": 7.25}) == [1, 5]
    assert ns({"column": "price", "op": "!=", "value": "5"}) == [3, 4, 5]
    assert ns({"column": "price", "op": "between", "value": "6", "value2": "13"}) == [3, 5]
    assert ns({"column": "price", "op": "empty"}) == [2]
    assert ns({"column": "price", "op": "not empty"}) == [1, 3, 4, 5]
    assert ns({"column": "note", "op": "empty"}) == [2, 3]  # missing and blank text
    assert ns({"column": "day", "op": "=", "value": "2024-01-02"}) == [2, 5]  # the whole day
    assert ns({"column": "day", "op": "<=", "value": "2024-01-02"}) == [1, 2, 5]
    assert ns({"column": "day", "op": ">", "value": "2024-01-02 12:00"}) == [4, 5]
    assert ns(
        {"column": "day", "op": "between", "value": "2024-01-02", "value2": "2024-02-01"}
    ) == [2, 4, 5]
    assert ns({"column": "day", "op": "empty"}) == [3]
    assert ns({"column": "price", "op": ">", "value": 100}) == []
    # A value that would be SQL if interpolated is only ever a bound value.
    assert ns({"column": "note", "op": "=", "value": "a' OR '1'='1"}) == []

    bad = page(kernel, view, filter=[{"column": "price", "op": ">", "value": "ten"}])
    assert bad["ok"] is False
    assert bad["error"] == "filter on 'price': 'ten' is not a number"
    bad = page(kernel, view, filter=[{"column": "day", "op": "<", "value": "soon"}])
    assert bad["ok"] is False
    assert "'soon' is not a date" in bad["error"]
    bad = page(kernel, view, filter=[{"column": "price", "op": "like", "value": "1"}])
    assert bad["error"] == "filter: unknown operator 'like'"


def test_export_keeps_the_index_and_a_cancel_stops_a_long_export(kernel: Kernel) -> None:
    view = kernel.run("sales.groupby('city').sum(numeric_only=True)")["result"][MIME]["view"]
    done, _ = ask(kernel, {"action": "export", "view": view, "format": "xlsx", "name": "cities"})
    assert done["ok"], done
    written = pd.read_excel(done["path"])
    assert written.columns.tolist() == ["city", "amount", "n"]
    assert written["city"].tolist() == ["Lyon", "Nantes", "Paris"]

    view = kernel.run("big")["result"][MIME]["view"]
    comm_id = uuid.uuid4().hex
    session, shell = kernel.client.session, kernel.client.shell_channel
    shell.send(
        session.msg("comm_open", {"comm_id": comm_id, "target_name": "galilean.table", "data": {}})
    )
    started = {"request": 7, "action": "export", "view": view, "format": "xlsx", "name": "huge"}
    shell.send(session.msg("comm_msg", {"comm_id": comm_id, "data": started}))
    answers = []
    while True:
        content = kernel.client.get_iopub_msg(timeout=120)["content"]
        if content.get("comm_id") != comm_id:
            continue
        answers.append(content["data"])
        if "progress" in content["data"] and len(answers) == 1:  # the export is running
            cancel = {"request": 8, "action": "cancel", "job": 7}
            shell.send(session.msg("comm_msg", {"comm_id": comm_id, "data": cancel}))
        elif content["data"].get("request") == 7 and "progress" not in content["data"]:
            break
    assert {"request": 8, "ok": True, "cancelled": True} in answers
    assert answers[-1] == {"request": 7, "ok": False, "cancelled": True, "error": "cancelled"}
    exports = Path(kernel.value("str(__import__('pathlib').Path.cwd() / 'exports')"))
    assert not (exports / "huge.xlsx").exists()
    assert not list(exports.glob("*.partial.*"))


def test_excel_without_duckdbs_extension_streams_with_xlsxwriter(kernel: Kernel) -> None:
    view = kernel.run("orders.set_index('n')")["result"][MIME]["view"]
    kernel.run(
        "import galilean_server.kernel.table_export as _te\n_saved = _te.EXCEL_EXTENSION\n"
        "_te.EXCEL_EXTENSION = None"
    )
    try:
        newest_first = [{"column": "n", "descending": True}]
        done, _ = ask(
            kernel,
            {
                "action": "export",
                "view": view,
                "format": "xlsx",
                "name": "fallback",
                "sort": newest_first,
            },
        )
    finally:
        kernel.run("_te.EXCEL_EXTENSION = _saved")
    assert done["ok"], done
    written = pd.read_excel(done["path"])
    assert written.columns.tolist() == ["n", "price", "day", "note"]
    assert written["n"].tolist() == [5, 4, 3, 2, 1]
    assert written["price"].isna().tolist() == [False, False, False, True, False]
    assert written["day"].iloc[0] == pd.Timestamp("2024-01-02 23:59")
    assert written["note"].tolist()[:2] == ["y", "x"]
