"""Labelled image items: the list with its filters and paging, the statistics checked
against the generator's input, thumbnails decoded with Pillow, and the store's cache of a
snapshot's Labelled (items and stats requests read from a snapshot, as the worker does)."""

from __future__ import annotations

import base64
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from labelled_images import CLASSES, ITEMS, ItemSpec, make_labelled, write_png
from PIL import Image

from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.labels.index import INDEX, read_snapshot
from galilean_services.datasets.labels.items import list_items
from galilean_services.datasets.labels.model import Box, Item, Labelled
from galilean_services.datasets.labels.ops import items_request, stats_request
from galilean_services.datasets.labels.source import FolderSource
from galilean_services.datasets.labels.stats import stats
from galilean_services.datasets.labels.thumbnails import colour_of, thumbnail
from galilean_services.datasets.model import DatasetError, Invalid, NotFound


def labelled_of(specs: list[ItemSpec], scores: bool = False) -> Labelled:
    """The generator's items as the model holds them (a score per box when asked: 0.05,
    0.15, … in box order)."""
    items = []
    count = 0
    for split, name, width, height, boxes in specs:
        made = []
        for label, x, y, w, h in boxes:
            score = round(0.05 + 0.1 * (count % 10), 2) if scores else None
            made.append(Box(label, x, y, w, h, score))
            count += 1
        items.append(Item(f"images/{split}/{name}", split, width, height, tuple(made)))
    return Labelled("yolo", tuple(CLASSES), tuple(sorted(items, key=lambda i: i.id)))


SET = labelled_of(ITEMS)
SCORED = labelled_of(ITEMS, scores=True)


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"].rsplit("/", 1)[1] for item in page["items"]]


def test_filters_and_paging() -> None:
    assert list_items(SET)["total"] == 8
    assert ids(list_items(SET, split="val")) == ["f.png", "g.png", "h.png"]
    assert ids(list_items(SET, label="bird")) == ["b.png", "e.png", "g.png"]
    assert ids(list_items(SET, split="train", label="dog")) == ["a.png", "c.png"]
    assert ids(list_items(SET, q="IMAGES/VAL/G")) == ["g.png"]
    first = list_items(SET, offset=0, limit=3)
    second = list_items(SET, offset=3, limit=3)
    last = list_items(SET, offset=6, limit=3)
    assert (first["total"], first["offset"], first["limit"]) == (8, 0, 3)
    assert ids(first) + ids(second) + ids(last) == [spec[1] for spec in ITEMS]
    assert list_items(SET, offset=8)["items"] == []
    shown = list_items(SET, q="a.png")["items"][0]
    assert shown["labels"] == ["cat", "dog"]
    assert len(shown["boxes"]) == 2


def test_score_filters_use_an_items_best_box() -> None:
    best = {item.id.rsplit("/", 1)[1]: item.score for item in SCORED.items}
    high = ids(list_items(SCORED, min_score=0.5))
    assert high == sorted(
        name for name, score in best.items() if score is not None and score >= 0.5
    )
    low = ids(list_items(SCORED, max_score=0.3))
    assert low == sorted(name for name, score in best.items() if score is not None and score <= 0.3)
    assert "d.png" not in ids(list_items(SCORED, max_score=1))  # no boxes, so no score
    assert list_items(SET, min_score=0)["total"] == 0  # no scores at all


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"split": "no way"}, "split"),
        ({"label": ""}, "label"),
        ({"min_score": "high"}, "min_score"),
        ({"max_score": float("nan")}, "max_score"),
        ({"min_score": 0.9, "max_score": 0.1}, "min_score"),
        ({"q": 5}, "q"),
        ({"offset": -1}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": True}, "limit"),
    ],
)
def test_bad_arguments_are_named(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as raised:
        list_items(SET, **arguments)
    assert raised.value.field == field


def test_stats_match_the_generators_input() -> None:
    found = stats(SET)
    assert (found["images"], found["boxes"]) == (8, sum(len(spec[4]) for spec in ITEMS))
    for split in ("train", "val"):
        specs = [spec for spec in ITEMS if spec[0] == split]
        row = next(r for r in found["per_split"] if r["split"] == split)
        assert row["images"] == len(specs)
        for name in CLASSES:
            boxes = sum(1 for spec in specs for box in spec[4] if box[0] == name)
            images = sum(1 for spec in specs if any(box[0] == name for box in spec[4]))
            assert row["classes"][name] == {"images": images, "boxes": boxes}
    per_class = {row["label"]: row["boxes"] for row in found["per_class"]}
    assert per_class == dict(Counter(box[0] for spec in ITEMS for box in spec[4]))
    assert found["unlabelled"] == {"train": 1, "val": 0}
    sizes = {(row["width"], row["height"]): row["images"] for row in found["image_sizes"]}
    assert sizes == dict(Counter((spec[2], spec[3]) for spec in ITEMS))
    per_image = Counter(len(spec[4]) for spec in ITEMS)
    assert [row["images"] for row in found["boxes_per_image"]] == [per_image[n] for n in range(3)]
    assert sum(row["boxes"] for row in found["box_area"]) == found["boxes"]
    shares = [w * h / (spec[2] * spec[3]) for spec in ITEMS for _l, _x, _y, w, h in spec[4]]
    for row in found["box_area"]:
        assert row["boxes"] == sum(1 for s in shares if row["from"] < s <= row["to"])
    assert found["box_area"][-1]["boxes"] == 2  # b.png's bird and f.png's cat: over half
    assert found["scores"] is None


def test_stats_score_histogram_and_capped_sizes() -> None:
    found = stats(SCORED)
    assert sum(b["boxes"] for b in found["scores"]["bins"]) == found["boxes"]
    # 11 boxes scored 0.05, 0.15, … 0.95, then 0.05 again: one per tenth, two in the first.
    assert [b["boxes"] for b in found["scores"]["bins"]] == [2] + [1] * 9
    many: list[ItemSpec] = [("train", f"{n}.png", 10 + n, 10, []) for n in range(25)]
    sizes = stats(labelled_of(many))["image_sizes"]
    assert len(sizes) == 21
    assert sizes[-1] == {
        "size": "other",
        "width": None,
        "height": None,
        "images": 5,
    }


def test_thumbnail_is_a_jpeg_with_the_boxes_in_their_colour(tmp_path: Path) -> None:
    write_png(tmp_path / "big.png", 400, 200, 0)  # (0, 40, 80)
    box = Box("cat", 100, 50, 200, 100)
    item = Item("big.png", "train", 400, 200, (box,))
    data = thumbnail(FolderSource(tmp_path), item, size=100)
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG"
    assert picture.size == (100, 50)
    red, green, blue = colour_of("cat")
    # The box's left edge, scaled by 1/4, is the column x = 25, rows 12..37.
    pixel = picture.convert("RGB").getpixel((25, 25))
    assert isinstance(pixel, tuple)
    assert all(abs(a - b) < 48 for a, b in zip(pixel, (red, green, blue), strict=True))
    assert picture.convert("RGB").getpixel((50, 25)) == pytest.approx((0, 40, 80), abs=16)
    assert colour_of("cat") == colour_of("cat") != colour_of("dog")


def test_thumbnail_refuses_bad_sizes_and_broken_images(tmp_path: Path) -> None:
    write_png(tmp_path / "small.png", 20, 10, 3)
    item = Item("small.png", "train", 20, 10)
    small = Image.open(io.BytesIO(thumbnail(FolderSource(tmp_path), item, size=64)))
    assert small.size == (20, 10)  # never enlarged
    for size in (15, 513, True):
        with pytest.raises(Invalid) as raised:
            thumbnail(FolderSource(tmp_path), item, size=size)
        assert raised.value.field == "thumbnails"
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(Invalid) as broken:
        thumbnail(FolderSource(tmp_path), Item("broken.png", "train", 5, 5), 32)
    assert broken.value.item == "broken.png"


def snapshotted(tmp_path: Path, fmt: str = "yolo") -> tuple[FilesDataset, Path]:
    work, store = tmp_path / "work", tmp_path / "store"
    make_labelled(work, fmt)
    dataset = FilesDataset(work, store)
    dataset.snapshot("as generated", "alice")
    return dataset, store


def test_a_snapshots_labelled_set_is_cached_by_its_root(tmp_path: Path) -> None:
    _dataset, store = snapshotted(tmp_path)
    source, first = read_snapshot(store)
    cached = list((store / INDEX).glob("*.json"))
    assert len(cached) == 1
    root = json.loads((store / "refs.json").read_text())["snapshots"][0]["root"]
    assert cached[0].name == f"{root}.json"
    _source, again = read_snapshot(store)
    assert again == first
    assert source.number == 1
    # The cache is what is read: a changed entry shows (a snapshot never changes).
    raw = json.loads(cached[0].read_text())
    raw["classes"] = ["x", "y", "z"]
    cached[0].write_text(json.dumps(raw))
    assert read_snapshot(store)[1].classes == ("x", "y", "z")
    cached[0].write_text("{broken")  # unreadable: read again and rewritten
    assert read_snapshot(store)[1] == first


def test_items_and_stats_requests_read_a_snapshot(tmp_path: Path) -> None:
    dataset, store = snapshotted(tmp_path, "coco")
    (dataset.work / "images/val/f.png").unlink()  # not snapshotted: the head still has it
    page = items_request(store, {"split": "val", "thumbnails": 32, "limit": 2})
    assert (page["snapshot"], page["format"], page["total"]) == (1, "coco", 3)
    assert len(page["items"]) == 2
    head, jpeg = page["items"][0]["thumbnail"].split(",", 1)
    assert head == "data:image/jpeg;base64"
    assert max(Image.open(io.BytesIO(base64.b64decode(jpeg))).size) == 32
    assert "thumbnail" not in items_request(store, {})["items"][0]
    summary = stats_request(store, {"snapshot": 1})
    assert (summary["snapshot"], summary["images"]) == (1, len(ITEMS))


@pytest.mark.parametrize(
    ("args", "field", "error"),
    [
        ({"snapshot": 9}, "number", NotFound),
        ({"snapshot": "1"}, "snapshot", Invalid),
        ({"thumbnails": 4}, "thumbnails", Invalid),
        ({"colour": "red"}, "colour", Invalid),
        ({"split": "../x"}, "split", Invalid),
    ],
)
def test_bad_requests_are_named(
    tmp_path: Path, args: dict[str, Any], field: str, error: type[DatasetError]
) -> None:
    _dataset, store = snapshotted(tmp_path)
    with pytest.raises(error) as raised:
        items_request(store, args)
    assert raised.value.field == field
