"""Edits of labelled image datasets in YOLO, COCO and VOC: each op makes a new snapshot
whose items show the change while its predecessor still shows the old state; the folder
is snapshotted first when it changed; bad edits are refused naming their field or item
before anything is touched; and POST …/edits over HTTP, for the owner only."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from datasets_app import Service
from labelled_images import ITEMS, make_labelled, write_png

from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.labels.edits import apply_edits
from galilean_services.datasets.labels.index import read_snapshot
from galilean_services.datasets.labels.model import Item, Labelled
from galilean_services.datasets.model import DatasetError, Invalid, NotFound

FORMATS = ("yolo", "coco", "voc")


def setup(tmp_path: Path, fmt: str) -> tuple[Path, FilesDataset]:
    home = tmp_path / "home"
    make_labelled(home / "set", fmt)
    dataset = FilesDataset(home / "set", home / ".galilean" / "datasets" / "set")
    dataset.snapshot("as generated", "alice")
    write_png(home / "incoming" / "z.png", 40, 30, 7)
    return home, dataset


def labelled_at(dataset: FilesDataset, number: int) -> Labelled:
    return read_snapshot(dataset.store_root, number)[1]


def by_name(labelled: Labelled) -> dict[str, Item]:
    return {PurePosixPath(item.id).name: item for item in labelled.items}


def boxes(item: Item) -> list[tuple[str, float, float, float, float]]:
    return sorted(
        (b.label, round(b.x, 1), round(b.y, 1), round(b.width, 1), round(b.height, 1))
        for b in item.boxes
    )


def spec_boxes(name: str) -> list[tuple[str, float, float, float, float]]:
    spec = next(spec for spec in ITEMS if spec[1] == name)
    return sorted((label, float(x), float(y), float(w), float(h)) for label, x, y, w, h in spec[4])


def edit(home: Path, dataset: FilesDataset, *edits: dict[str, Any]) -> int:
    return apply_edits(dataset, list(edits), "alice", home=home).number


def check_add(home: Path, dataset: FilesDataset, _fmt: str) -> None:
    box = {"label": "dog", "x": 2, "y": 3, "width": 20, "height": 10}
    assert (
        edit(home, dataset, {"op": "add", "from": "incoming/z.png", "split": "val", "boxes": [box]})
        == 2
    )
    added = by_name(labelled_at(dataset, 2))["z.png"]
    assert (added.split, added.width, added.height) == ("val", 40, 30)
    assert boxes(added) == [("dog", 2.0, 3.0, 20.0, 10.0)]
    assert (dataset.work / added.id).is_file()
    assert (home / "incoming" / "z.png").is_file()  # copied, not taken
    assert "z.png" not in by_name(labelled_at(dataset, 1))


def check_remove(home: Path, dataset: FilesDataset, _fmt: str) -> None:
    old = by_name(labelled_at(dataset, 1))["a.png"]
    edit(home, dataset, {"op": "remove", "item": old.id})
    assert "a.png" not in by_name(labelled_at(dataset, 2))
    assert len(labelled_at(dataset, 2).items) == len(ITEMS) - 1
    assert not (dataset.work / old.id).exists()
    assert boxes(by_name(labelled_at(dataset, 1))["a.png"]) == spec_boxes("a.png")


def check_move(home: Path, dataset: FilesDataset, _fmt: str) -> None:
    old = by_name(labelled_at(dataset, 1))["a.png"]
    edit(home, dataset, {"op": "move", "item": old.id, "split": "val"})
    moved = by_name(labelled_at(dataset, 2))["a.png"]
    assert moved.split == "val"
    assert boxes(moved) == spec_boxes("a.png")
    assert by_name(labelled_at(dataset, 1))["a.png"].split == "train"
    assert sorted(i.split for i in labelled_at(dataset, 2).items).count("val") == 4


def check_relabel(home: Path, dataset: FilesDataset, _fmt: str) -> None:
    named = by_name(labelled_at(dataset, 1))
    new_boxes = [{"label": "cat", "x": 1, "y": 1, "width": 10, "height": 10}]
    edit(
        home,
        dataset,
        {"op": "relabel", "item": named["b.png"].id, "boxes": new_boxes},
        {"op": "relabel", "item": named["a.png"].id, "from": "cat", "to": "lion"},
    )
    after = labelled_at(dataset, 2)
    assert boxes(by_name(after)["b.png"]) == [("cat", 1.0, 1.0, 10.0, 10.0)]
    assert [b[0] for b in boxes(by_name(after)["a.png"])] == ["dog", "lion"]
    assert "lion" in after.classes
    assert boxes(by_name(labelled_at(dataset, 1))["b.png"]) == spec_boxes("b.png")
    assert "lion" not in labelled_at(dataset, 1).classes


CHECKS: dict[str, Callable[[Path, FilesDataset, str], None]] = {
    "add": check_add,
    "remove": check_remove,
    "move": check_move,
    "relabel": check_relabel,
}


@pytest.mark.parametrize("op", CHECKS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_edit_is_a_new_snapshot(tmp_path: Path, fmt: str, op: str) -> None:
    home, dataset = setup(tmp_path, fmt)
    CHECKS[op](home, dataset, fmt)
    made = dataset.head()
    assert made is not None
    assert (made.number, made.parent, made.author) == (2, 1, "alice")
    assert made.origin == {"edit": f"{op} 1" if op != "relabel" else "relabel 2"}
    assert made.message.startswith("Edit: ")
    dataset.restore(1, "alice")  # the old state comes back in the folder
    assert by_name(read_snapshot(dataset.store_root, 3)[1]) == by_name(labelled_at(dataset, 1))


def test_a_changed_folder_is_snapshotted_before_the_edits(tmp_path: Path) -> None:
    home, dataset = setup(tmp_path, "yolo")
    (dataset.work / "notes.txt").write_text("kept")
    old = by_name(labelled_at(dataset, 1))["c.png"]
    assert edit(home, dataset, {"op": "remove", "item": old.id}) == 3
    work = dataset.get(2)
    assert (work.message, work.origin) == ("Work before edits", {"edit": "work before edits"})
    assert "notes.txt" in dataset.diff(1, 2)["added"]
    assert dataset.get(3).parent == 2
    # Unchanged folder: no extra snapshot.
    assert (
        edit(
            home,
            dataset,
            {"op": "move", "item": by_name(labelled_at(dataset, 3))["d.png"].id, "split": "val"},
        )
        == 4
    )


@pytest.mark.parametrize(
    ("edits", "error", "field", "item"),
    [
        (
            [{"op": "remove", "item": "images/train/nope.png"}],
            NotFound,
            "item",
            "images/train/nope.png",
        ),
        (
            [{"op": "move", "item": "images/train/a.png", "split": "no split"}],
            Invalid,
            "split",
            None,
        ),
        (
            [
                {
                    "op": "relabel",
                    "item": "images/train/b.png",
                    "boxes": [{"label": "cat", "x": 30, "y": 30, "width": 20, "height": 5}],
                }
            ],
            Invalid,
            "boxes",
            "images/train/b.png",
        ),
        (
            [{"op": "add", "from": "../outside.png", "split": "train"}],
            Invalid,
            "from",
            "../outside.png",
        ),
        (
            [{"op": "add", "from": "incoming/missing.png", "split": "train"}],
            Invalid,
            "from",
            "incoming/missing.png",
        ),
        (
            [{"op": "add", "from": "set/data.yaml", "split": "train"}],
            Invalid,
            "from",
            "set/data.yaml",
        ),
        ([{"op": "shrink", "item": "images/train/a.png"}], Invalid, "op", None),
        ([{"op": "move", "item": "images/train/a.png"}], Invalid, "split", None),
        (
            [{"op": "remove", "item": "images/train/a.png", "colour": "red"}],
            Invalid,
            "colour",
            None,
        ),
        (
            [{"op": "relabel", "item": "images/train/a.png", "from": "bird", "to": "cat"}],
            Invalid,
            "from",
            "images/train/a.png",
        ),
        ([], Invalid, "edits", None),
        # The second edit is bad: the first is not carried out either.
        (
            [
                {"op": "remove", "item": "images/train/a.png"},
                {"op": "remove", "item": "images/train/a.png"},
            ],
            NotFound,
            "item",
            "images/train/a.png",
        ),
    ],
)
def test_bad_edits_are_named_and_change_nothing(
    tmp_path: Path,
    edits: list[dict[str, Any]],
    error: type[DatasetError],
    field: str,
    item: str | None,
) -> None:
    home, dataset = setup(tmp_path, "yolo")
    (tmp_path / "outside.png").write_bytes((home / "incoming" / "z.png").read_bytes())
    before = sorted(p.relative_to(dataset.work) for p in dataset.work.rglob("*"))
    with pytest.raises(error) as raised:
        apply_edits(dataset, edits, "alice", home=home)
    assert raised.value.field == field
    if item is not None:
        assert raised.value.item == item
    assert sorted(p.relative_to(dataset.work) for p in dataset.work.rglob("*")) == before
    assert [s.number for s in dataset.snapshots()] == [1]


def test_a_move_onto_another_image_is_refused(tmp_path: Path) -> None:
    home, dataset = setup(tmp_path, "yolo")
    write_png(dataset.work / "images" / "val" / "a.png", 8, 8, 9)  # same name in val
    dataset.snapshot("a second a.png", "alice")
    with pytest.raises(Invalid) as raised:
        apply_edits(
            dataset,
            [{"op": "move", "item": "images/train/a.png", "split": "val"}],
            "alice",
            home=home,
        )
    assert (raised.value.field, raised.value.item) == ("split", "images/train/a.png")


# HTTP ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(datasets_app: Service) -> Service:
    return datasets_app


def test_post_edits_for_the_owner_only(app: Service) -> None:
    home = app.folder_of("alice")
    make_labelled(home / "edited", "coco")
    write_png(home / "incoming-http" / "new.png", 20, 20, 3)
    dataset = app.ok("POST", "/api/datasets", {"name": "edited", "folder": "edited"}, status=201)
    base = f"/api/datasets/{dataset['id']}"
    app.ok("POST", f"{base}/snapshots", {"message": "first"}, status=201)
    body = {
        "edits": [
            {"op": "add", "from": "incoming-http/new.png", "split": "val"},
            {"op": "move", "item": "images/train/a.png", "split": "val"},
        ]
    }
    made = app.ok("POST", f"{base}/edits", body, status=201)
    assert (made["number"], made["parent"], made["origin"]) == (2, 1, {"edit": "add 1, move 1"})
    listed = json.loads((home / "edited" / "annotations" / "instances_val.json").read_text())
    assert {"new.png", "a.png"} <= {image["file_name"] for image in listed["images"]}

    page = app.ok("GET", f"{base}/items?split=val&thumbnails=32&limit=10")
    assert page["snapshot"] == 2
    assert [i["id"] for i in page["items"]] == [
        "images/val/a.png",
        "images/val/f.png",
        "images/val/g.png",
        "images/val/h.png",
        "images/val/new.png",
    ]
    assert all(i["thumbnail"].startswith("data:image/jpeg;base64,") for i in page["items"])
    counts = app.ok("GET", f"{base}/stats?snapshot=1")["per_split"]
    assert [(row["split"], row["images"]) for row in counts] == [("train", 5), ("val", 3)]

    bad = app.call("POST", f"{base}/edits", {"edits": [{"op": "remove", "item": "x.png"}]})
    assert bad.status_code == 404
    assert bad.json()["errors"][0]["field"] == "item"
    outside = app.call(
        "POST", f"{base}/edits", {"edits": [{"op": "add", "from": "../../x.png", "split": "val"}]}
    )
    assert outside.status_code == 400
    assert outside.json()["errors"][0]["field"] == "from"
    assert app.call("POST", f"{base}/edits", {"changes": []}).status_code == 400
    assert app.call("POST", f"{base}/edits", body, who="bob").status_code == 404  # not shared
    app.ok("PATCH", base, {"groups": ["team"]})
    assert (
        app.call("POST", f"{base}/edits", body, who="bob").status_code == 403
    )  # shared: read only
    assert app.call("POST", f"{base}/edits", body, who="read-only").status_code == 403
    assert [s["number"] for s in app.ok("GET", f"{base}/snapshots")] == [1, 2]
