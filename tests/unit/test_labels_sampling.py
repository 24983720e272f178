"""Sampling labelled images with the table strategies: a snapshot's items as rows (id,
split, label, labels, boxes, score, width, height), the registry's random / stratified /
threshold choosing, and the sample written in the source's layout into a new folder that
becomes a new files dataset whose lineage points at its source snapshot."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from datasets_app import Service
from labelled_images import ITEMS, make_labelled

from galilean_services.datasets.labels.formats import read_labelled
from galilean_services.datasets.labels.model import Box, Item, Labelled
from galilean_services.datasets.labels.sampling import dominant_label, draw_items
from galilean_services.datasets.labels.source import FolderSource
from galilean_services.datasets.model import Invalid


def many(count: int) -> Labelled:
    """`count` images, classes in proportions 5:3:2, scores spread over 0..1."""
    classes = ("cat", "dog", "bird")
    items = []
    for index in range(count):
        label = classes[0 if index % 10 < 5 else 1 if index % 10 < 8 else 2]
        box = Box(label, 1, 1, 5, 5, score=(index % 100) / 100)
        items.append(Item(f"images/{index:04}.png", "train", 10, 10, (box,)))
    return Labelled("yolo", classes, tuple(items))


def test_stratified_keeps_each_class_exactly_in_proportion() -> None:
    labelled = many(1000)
    kept = draw_items(labelled, "stratified", {"by": "label", "fraction": 0.1, "seed": 3})
    by_id = {item.id: item for item in labelled.items}
    counts = Counter(dominant_label(by_id[item_id]) for item_id in kept)
    assert counts == {"cat": 50, "dog": 30, "bird": 20}
    again = draw_items(labelled, "stratified", {"by": "label", "fraction": 0.1, "seed": 3})
    other = draw_items(labelled, "stratified", {"by": "label", "fraction": 0.1, "seed": 4})
    assert kept == again != other  # seeded: the same seed, the same images


def test_random_and_threshold_on_the_score() -> None:
    labelled = many(200)
    assert len(draw_items(labelled, "random", {"n": 17, "seed": 1})) == 17
    confident = draw_items(labelled, "threshold", {"column": "score", "value": 0.9})
    scores = {item.id: item.score for item in labelled.items}
    assert confident
    assert all((scores[i] or 0) >= 0.9 for i in confident)
    assert len(confident) == sum(1 for s in scores.values() if (s or 0) >= 0.9)
    with pytest.raises(Invalid) as bad:
        draw_items(labelled, "stratified", {"by": "colour", "fraction": 0.5})
    assert bad.value.field == "params.by"


def test_the_class_with_most_boxes_labels_an_image() -> None:
    boxes = (Box("dog", 0, 0, 1, 1), Box("cat", 0, 0, 1, 1), Box("dog", 0, 0, 1, 1))
    assert dominant_label(Item("a.png", "", 2, 2, boxes)) == "dog"
    tie = (Box("dog", 0, 0, 1, 1), Box("cat", 0, 0, 1, 1))
    assert dominant_label(Item("a.png", "", 2, 2, tie)) == "cat"
    assert dominant_label(Item("a.png", "", 2, 2)) is None


def test_a_sample_of_images_becomes_a_new_dataset_over_a_new_folder(
    datasets_app: Service,
) -> None:
    app = datasets_app
    home = app.folder_of("alice")
    make_labelled(home / "sample-src", "voc")
    source = app.ok("POST", "/api/datasets", {"name": "sample-src", "folder": "sample-src"}, 201)
    base = f"/api/datasets/{source['id']}"
    app.ok("POST", f"{base}/snapshots", {"message": "all"}, status=201)
    body: dict[str, Any] = {
        "strategy": "stratified",
        "params": {"by": "split", "fraction": 0.5, "seed": 1},
        "into": "half",
    }
    made = app.ok("POST", f"{base}/sample", body, status=201)
    assert (made["driver"], made["folder"], made["head"]["number"]) == (
        "files",
        "samples/half",
        1,
    )
    sample = read_labelled(FolderSource(home / "samples" / "half"))
    splits = Counter(item.split for item in sample.items)
    # exact: half of 8 images; 2.5 train and 1.5 val round to 2 + 1, the one left over
    # going to one of the two (seeded)
    assert splits in ({"train": 3, "val": 1}, {"train": 2, "val": 2})
    assert sample.format == "voc"
    assert sample.classes
    assert set(item.id for item in sample.items) <= {f"JPEGImages/{name}" for _, name, *_ in ITEMS}
    lineage = app.ok("GET", f"/api/datasets/{made['id']}/lineage")
    assert any(edge["how"] == "sampled" for edge in lineage["edges"]), lineage

    # refusals: the name taken, the folder taken, a column the items do not have
    taken = app.call("POST", f"{base}/sample", body)
    assert (taken.status_code, taken.json()["errors"][0]["field"]) == (409, "into")
    (home / "exists").mkdir()
    clash = app.call("POST", f"{base}/sample", {**body, "into": "other", "folder": "exists"})
    assert (clash.status_code, clash.json()["errors"][0]["field"]) == (409, "folder")
    assert "other" not in [d["name"] for d in app.ok("GET", "/api/datasets")]  # not kept
    for wrong, field in [
        ({**body, "into": "x1", "params": {"by": "colour", "fraction": 0.5}}, "params.by"),
        ({**body, "into": "x2", "folder": "../out"}, "folder"),
        ({**body, "into": "x3", "table": "t"}, "table"),
        ({**body, "into": "x4", "strategy": "nope"}, "strategy"),
    ]:
        reply = app.call("POST", f"{base}/sample", wrong)
        assert reply.status_code == 400, reply.text
        assert reply.json()["errors"][0]["field"] == field, reply.text
