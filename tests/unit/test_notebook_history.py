# mypy: disable-error-code="no-untyped-call"
# (jupyter_server's contents manager and nbformat have no type annotations)
"""Notebooks' version history in this process: the store (bounded by number, age and size,
the same bytes kept once, ids and paths checked), the hooks on a real FileContentsManager
(a snapshot after a save unless one is recent; before a save that removes much, at once;
before a guest joins), and the History panel's routes (list, read, nbdime's diff against
now, restore with the current state kept first, a deleted notebook brought back)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from extension_server import Served, manager_for, serve
from fake_clock import FakeClock
from jupyter_server.services.contents.filemanager import FileContentsManager
from nbformat.sign import MemorySignatureStore, NotebookNotary

from galilean_server.history_hooks import HOOKS, HistoryHooks
from galilean_server.notebook_history import (
    FOLDER,
    Limits,
    NotebookHistory,
    checked_notebook_path,
)
from galilean_services.kit.errors import NotFound, ValidationError

NB = "work/analysis.ipynb"


def notebook(*sources: str) -> dict[str, Any]:
    made = nbformat.v4.new_notebook()
    made.cells = [nbformat.v4.new_code_cell(s, id=f"c{n}") for n, s in enumerate(sources)]
    return dict(made)


def as_bytes(content: dict[str, Any]) -> bytes:
    return json.dumps(content).encode()


def sources(data: bytes | dict[str, Any]) -> list[str]:
    content = json.loads(data) if isinstance(data, bytes) else data
    return ["".join(c["source"]) for c in content["cells"]]


def test_the_store_keeps_each_state_once_newest_first(tmp_path: Path) -> None:
    clock = FakeClock()
    history = NotebookHistory(tmp_path, clock=clock)
    first = history.add(NB, as_bytes(notebook("a = 1")), reason="saved", author="alice")
    assert first is not None
    assert first["cells"] == 1
    assert history.add(NB, as_bytes(notebook("a = 1")), reason="saved", author="alice") is None
    clock.advance(1)
    second = history.add(NB, as_bytes(notebook("a = 2", "b")), reason="saved", author="bob")
    assert second is not None
    assert [s["id"] for s in history.listing(NB)] == [second["id"], first["id"]]
    assert sources(history.read(NB, first["id"])) == ["a = 1"]
    # Kept under a hidden folder of the root, the index beside the snapshots.
    folder = history.folder_of(NB)
    assert folder.parent == tmp_path / FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["index.json", f"{first['id']}.ipynb", f"{second['id']}.ipynb"]
    )
    assert not list(folder.glob(".tmp-*"))
    # Two snapshots in one millisecond still get distinct, ordered ids.
    third = history.add(NB, as_bytes(notebook("c")), reason="saved", author="bob")
    assert third is not None
    assert third["id"] > second["id"]


def test_the_store_is_bounded_by_number_age_and_size(tmp_path: Path) -> None:
    clock = FakeClock()
    limits = Limits(max_snapshots=3, max_age_seconds=100.0, max_bytes=10_000)
    history = NotebookHistory(tmp_path, limits, clock)
    for n in range(5):
        history.add(NB, as_bytes(notebook(f"x = {n}")), reason="saved", author="a")
        clock.advance(1)
    kept = history.listing(NB)
    assert [sources(history.read(NB, s["id"])) for s in kept] == [["x = 4"], ["x = 3"], ["x = 2"]]
    assert len(list(history.folder_of(NB).glob("*.ipynb"))) == 3  # the dropped files went
    clock.advance(200)  # all too old: the new one stays, the others go
    history.add(NB, as_bytes(notebook("new")), reason="saved", author="a")
    assert [sources(history.read(NB, s["id"])) for s in history.listing(NB)] == [["new"]]
    big = as_bytes(notebook("y" * 6_000))
    history.add(NB, big, reason="saved", author="a")
    history.add(NB, as_bytes(notebook("z" * 6_000)), reason="saved", author="a")
    assert len(history.listing(NB)) == 1  # two of 6 kB exceed 10 kB: the older goes


def test_ids_and_paths_are_checked(tmp_path: Path) -> None:
    history = NotebookHistory(tmp_path)
    for bad in (
        "",
        "../x.ipynb",
        "a/../../x.ipynb",
        ".hidden/x.ipynb",
        "notes.txt",
        3,
        "a\\b.ipynb",
    ):
        with pytest.raises(ValidationError) as refused:
            checked_notebook_path(bad)
        assert refused.value.errors == [{"field": "path"}]
    assert checked_notebook_path("/work/a b.ipynb") == "work/a b.ipynb"
    with pytest.raises(ValidationError) as bad_id:
        history.read(NB, "../../etc/passwd")
    assert bad_id.value.errors == [{"field": "id"}]
    with pytest.raises(NotFound) as missing:
        history.read(NB, "1893456000000-0123abcd")
    assert missing.value.errors == [{"field": "id"}]
    with pytest.raises(ValidationError):
        history.read(NB, "1893456000000-0123abcd\n")


def test_a_damaged_index_keeps_only_well_formed_entries(tmp_path: Path) -> None:
    history = NotebookHistory(tmp_path, clock=FakeClock())
    kept = history.add(NB, as_bytes(notebook("a")), reason="saved", author="alice")
    assert kept is not None
    index = history.folder_of(NB) / "index.json"
    damaged = json.loads(index.read_bytes())
    damaged["snapshots"] += [
        {**kept, "id": "../../../victim"},
        {"id": "1893456000001-0123abcd"},
        "text",
    ]
    index.write_text(json.dumps(damaged))
    assert [s["id"] for s in history.listing(NB)] == [kept["id"]]
    (tmp_path / "victim.ipynb").write_text("{}")
    for n in range(3):  # pruning never touches what a damaged entry names
        history.add(NB, as_bytes(notebook(f"b{n}")), reason="saved", author="alice")
    assert (tmp_path / "victim.ipynb").exists()


class Rooms:
    """jupyter-server-fileid's manager, as far as the hooks ask it."""

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = paths

    def get_path(self, file_id: str) -> str | None:
        return self.paths.get(file_id)


@pytest.fixture
def lab(tmp_path: Path) -> tuple[FileContentsManager, HistoryHooks, FakeClock]:
    contents = FileContentsManager(root_dir=str(tmp_path))
    # Saved from this thread and the server's: signatures kept in memory, not in SQLite.
    contents.notary = NotebookNotary(store_factory=MemorySignatureStore)
    clock = FakeClock()
    hooks = HistoryHooks(NotebookHistory(tmp_path, clock=clock), "alice", contents)
    contents.register_pre_save_hook(hooks.pre_save)
    contents.register_post_save_hook(hooks.post_save)
    hooks.app_settings = {"file_id_manager": Rooms({"f-1": NB})}
    contents.new({"type": "directory"}, "work")
    return contents, hooks, clock


def save(contents: FileContentsManager, content: dict[str, Any]) -> None:
    contents.save({"type": "notebook", "format": "json", "content": content}, NB)


def test_saves_make_snapshots_and_a_clearing_save_keeps_what_was_there(
    lab: tuple[FileContentsManager, HistoryHooks, FakeClock],
) -> None:
    contents, hooks, clock = lab
    history = hooks.history
    save(contents, notebook("import pandas", "df = load()", "df.describe()"))
    assert [s["reason"] for s in history.listing(NB)] == ["saved"]
    clock.advance(5)
    save(contents, notebook("import pandas", "df = load()", "df.describe()", "df.plot()"))
    assert len(history.listing(NB)) == 1  # within the interval: no new snapshot
    clock.advance(5)
    save(contents, notebook())  # cleared
    newest = history.listing(NB)[0]
    assert newest["reason"] == "before a save that removed 4 of 4 cells"
    assert newest["author"] == "alice"
    assert sources(history.read(NB, newest["id"]))[-1] == "df.plot()"
    clock.advance(Limits().min_interval_seconds)
    save(contents, notebook("fresh start"))
    assert history.listing(NB)[0]["reason"] == "saved"


def test_a_guest_joining_keeps_the_notebook_as_it_was(
    lab: tuple[FileContentsManager, HistoryHooks, FakeClock],
) -> None:
    asyncio.run(guest_joins(*lab))


async def guest_joins(contents: FileContentsManager, hooks: HistoryHooks, clock: FakeClock) -> None:
    save(contents, notebook("private work"))
    clock.advance(1)
    save(contents, notebook("private work", "more"))  # not yet a snapshot (interval)
    room = {"roomid": "json:notebook:f-1"}
    await hooks.on_awareness(None, "", {**room, "username": "alice", "action": "join"})
    assert len(hooks.history.listing(NB)) == 1  # the owner joining keeps nothing
    await hooks.on_awareness(None, "", {**room, "username": "bob", "action": "join"})
    newest = hooks.history.listing(NB)[0]
    assert (newest["reason"], newest["author"]) == ("before bob joined", "alice")
    assert sources(hooks.history.read(NB, newest["id"])) == ["private work", "more"]
    assert hooks.author(NB) == "alice, bob"  # both edit from now on
    await hooks.on_awareness(None, "", {**room, "username": "bob", "action": "leave"})
    assert hooks.author(NB) == "alice"
    # Rooms that are not a known notebook's are ignored.
    await hooks.on_awareness(
        None, "", {"roomid": "json:file:f-2", "username": "x", "action": "join"}
    )
    await hooks.on_awareness(
        None, "", {"roomid": "json:notebook:f-9", "username": "x", "action": "join"}
    )
    assert len(hooks.history.listing(NB)) == 2


@pytest.fixture
def served(
    lab: tuple[FileContentsManager, HistoryHooks, FakeClock], tmp_path: Path
) -> Iterator[tuple[Served, FileContentsManager, HistoryHooks, FakeClock]]:
    contents, hooks, clock = lab
    with serve(manager_for(tmp_path / "home"), **{HOOKS: hooks}) as server:
        yield server, contents, hooks, clock


def field(reply: Any) -> str:
    return str(reply.json()["errors"][0]["field"])


def test_the_panels_routes_list_diff_and_restore(
    served: tuple[Served, FileContentsManager, HistoryHooks, FakeClock],
) -> None:
    server, contents, hooks, clock = served
    save(contents, notebook("a = 1", "print(a)"))
    clock.advance(5)
    save(contents, notebook("a = 2", "print(a)", "a * 10"))
    # By hand: the state now, even within the interval.
    kept = server.call("POST", f"/galilean/history?path={NB}")
    assert kept.status_code == 200, kept.text
    assert kept.json()["new"] is True
    listed = server.call("GET", f"/galilean/history?path={NB}").json()
    assert [s["reason"] for s in listed["snapshots"]] == ["kept by hand", "saved"]
    assert listed["snapshots"][0]["author"] == "tester"
    assert "sha256" not in listed["snapshots"][0]
    first = listed["snapshots"][1]["id"]
    one = server.call("GET", f"/galilean/history/{first}?path={NB}").json()
    assert sources(one["content"]) == ["a = 1", "print(a)"]

    diff = server.call("GET", f"/galilean/history/{first}/diff?path={NB}")
    assert diff.status_code == 200, diff.text
    body = diff.json()
    assert sources(body["base"]) == ["a = 1", "print(a)"]
    cells = next(d for d in body["diff"] if d["key"] == "cells")
    assert {op["op"] for op in cells["diff"]} >= {"addrange"}  # the third cell

    clock.advance(5)
    save(contents, notebook())  # cleared by mistake
    restored = server.call("POST", f"/galilean/history/{first}/restore?path={NB}")
    assert restored.status_code == 200, restored.text
    assert sources(contents.get(NB)["content"]) == ["a = 1", "print(a)"]
    # The cleared state was kept before the restore; the state before the clearing was
    # already kept by hand (the same bytes are not kept twice).
    listing = hooks.history.listing(NB)
    assert [s["reason"] for s in listing] == [
        f"before restoring {first}",
        "kept by hand",
        "saved",
    ]
    assert listing[0]["cells"] == 0

    # A deleted notebook keeps its history and comes back, its folder too.
    contents.delete(NB)
    shutil.rmtree(Path(contents.root_dir) / "work")
    gone = server.call("GET", f"/galilean/history/{first}/diff?path={NB}").json()
    assert gone["deleted"] is True
    back = server.call("POST", f"/galilean/history/{first}/restore?path={NB}")
    assert back.status_code == 200, back.text
    assert sources(contents.get(NB)["content"]) == ["a = 1", "print(a)"]


def test_the_routes_refuse_bad_input_naming_the_field(
    served: tuple[Served, FileContentsManager, HistoryHooks, FakeClock],
) -> None:
    server, contents, _, _ = served
    save(contents, notebook("x"))
    for path, status, name in (
        ("/galilean/history", 400, "path"),
        ("/galilean/history?path=../../etc/passwd.ipynb", 400, "path"),
        ("/galilean/history?path=notes.txt", 400, "path"),
        (f"/galilean/history/nonsense?path={NB}", 400, "id"),
        (f"/galilean/history/1893456000000-0123abcd?path={NB}", 404, "id"),
        (f"/galilean/history/1893456000000-0123abcd/diff?path={NB}", 404, "id"),
    ):
        reply = server.call("GET", path)
        assert (reply.status_code, field(reply)) == (status, name), (path, reply.text)
    missing = server.call("POST", "/galilean/history?path=never.ipynb")
    assert (missing.status_code, field(missing)) == (404, "path")
    undo = server.call("POST", f"/galilean/history/1893456000000-0123abcd/restore?path={NB}")
    assert (undo.status_code, field(undo)) == (404, "id")
    assert sources(contents.get(NB)["content"]) == ["x"]  # nothing lost
