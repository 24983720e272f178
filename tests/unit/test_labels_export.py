"""Exporting labelled images to YOLO, COCO and Pascal VOC (datasets/labels/convert.py):
every pair of layouts converts, a round trip yolo→coco→voc→yolo keeps the boxes within half
a pixel and the classes, a pinned older snapshot exports itself (from the store, not the
work folder), an existing target is a conflict unless overwritten, a kill -9 mid-export
leaves the target as it was, and the HTTP route with its 400/404/409 answers."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from datasets_app import Service
from labelled_images import (
    CLASSES,
    ITEMS,
    boxes_of,
    close_enough,
    expected_boxes,
    make_labelled,
)

from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.labels.convert import export_files_dataset, export_labelled
from galilean_services.datasets.labels.formats import read_labelled
from galilean_services.datasets.labels.model import Format
from galilean_services.datasets.labels.source import FolderSource
from galilean_services.datasets.model import Conflict, DatasetError, Invalid, NotFound

FORMATS = ("yolo", "coco", "voc")
BOXES = sum(len(boxes) for *_, boxes in ITEMS)


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


@pytest.mark.parametrize("origin", [*FORMATS, "roboflow"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_layout_converts_to_every_other(tmp_path: Path, origin: str, fmt: str) -> None:
    make_labelled(tmp_path / "in", origin)
    seen: list[tuple[int, int]] = []
    made = export_labelled(
        FolderSource(tmp_path / "in"),
        tmp_path / "out",
        fmt,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert (made["format"], made["items"], made["boxes"]) == (fmt, len(ITEMS), BOXES)
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert made["files"] == len(written)
    assert made["bytes"] == sum(p.stat().st_size for p in written)
    assert seen == [(n, made["files"]) for n in range(1, made["files"] + 1)]
    back = read_labelled(FolderSource(tmp_path / "out"))
    assert back.format == fmt
    assert close_enough(boxes_of(back), expected_boxes(ITEMS), tolerance=0.001)
    # A VOC set without labelmap.txt has no class order: its classes come sorted.
    assert back.classes == (tuple(sorted(CLASSES)) if origin == "voc" else tuple(CLASSES))
    for item in back.items:  # the images are the originals, byte for byte
        original = next((tmp_path / "in").rglob(Path(item.id).name))
        assert (tmp_path / "out" / item.id).read_bytes() == original.read_bytes()
    assert partials(tmp_path) == []
    if fmt == "yolo":  # no `path`: Ultralytics reads the folders beside the yaml
        document = yaml.safe_load((tmp_path / "out/data.yaml").read_text())
        splits = {"train": "images/train", "val": "images/val"}
        assert document == {**splits, "nc": 3, "names": list(back.classes)}


def test_a_round_trip_through_every_layout_keeps_boxes_and_classes(tmp_path: Path) -> None:
    # Boxes off the pixel grid: each layout rounds its own way (YOLO 6 decimals of the
    # image's size, COCO 3 decimals, VOC 2: 3.333 comes back 3.33).
    items = [
        (
            "train",
            "p.png",
            97,
            61,
            [("dog", 3.333, 4.7, 20.25, 11.9), ("cat", 50.5, 0.2, 40.123, 60.3)],
        ),
        ("val", "q.png", 33, 77, [("bird", 0.4, 10.667, 32.2, 50.01)]),
        ("val", "r.png", 12, 12, []),
    ]
    make_labelled(tmp_path / "yolo0", "yolo", items)
    previous = tmp_path / "yolo0"
    steps: list[Format] = ["coco", "voc", "yolo"]
    for step, fmt in enumerate(steps, start=1):
        export_labelled(FolderSource(previous), tmp_path / f"{fmt}{step}", fmt)
        previous = tmp_path / f"{fmt}{step}"
    back = read_labelled(FolderSource(previous))
    assert back.format == "yolo"
    assert back.classes == tuple(CLASSES)
    assert close_enough(boxes_of(back), expected_boxes(items), tolerance=0.5)
    assert not close_enough(boxes_of(back), expected_boxes(items), tolerance=0.0001), (
        "the boxes were meant to be off the grid"
    )


def test_an_existing_target_conflicts_unless_overwritten(tmp_path: Path) -> None:
    make_labelled(tmp_path / "in", "yolo")
    source = FolderSource(tmp_path / "in")
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("the previous export")
    with pytest.raises(Conflict) as refused:
        export_labelled(source, target, "coco", shown="out")
    assert (refused.value.field, refused.value.item) == ("path", "out")
    assert (target / "old.txt").read_text() == "the previous export"
    export_labelled(source, target, "coco", overwrite=True)
    assert not (target / "old.txt").exists()
    assert read_labelled(FolderSource(target)).format == "coco"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]  # nothing aside


def test_two_images_that_would_share_a_place_are_named(tmp_path: Path) -> None:
    items = [("train", "a.png", 8, 8, []), ("val", "a.png", 8, 8, [("cat", 1, 1, 2, 2)])]
    make_labelled(tmp_path / "in", "yolo", items)
    with pytest.raises(Invalid) as refused:
        export_labelled(FolderSource(tmp_path / "in"), tmp_path / "out", "voc")
    assert refused.value.item == "images/val/a.png"
    assert "JPEGImages/a.png" in refused.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


CHILD = """
import sys
from pathlib import Path
from galilean_services.datasets.labels.convert import export_labelled
from galilean_services.datasets.labels.source import FolderSource

def stop_half_way(done, total):
    if done == total // 2:
        print("writing", flush=True)
        sys.stdin.read()  # the test kills this process here

source, target, overwrite = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
export_labelled(FolderSource(source), target, "voc", overwrite=overwrite, progress=stop_half_way)
print("exported", flush=True)
"""


@pytest.mark.parametrize("overwrite", [False, True])
def test_kill_9_mid_export_leaves_the_target_as_it_was(tmp_path: Path, overwrite: bool) -> None:
    make_labelled(tmp_path / "in", "yolo")
    target = tmp_path / "out"
    if overwrite:
        target.mkdir()
        (target / "old.txt").write_text("the previous export")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "in"), str(target), str(int(overwrite))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "writing\n"  # blocks until the child is half-way
    [partial] = partials(tmp_path)
    assert any((tmp_path / partial).rglob("*.xml")), "the child had written files"
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    if overwrite:
        assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    else:
        assert not target.exists()
    made = export_labelled(FolderSource(tmp_path / "in"), target, "voc", overwrite=True)
    assert made["items"] == len(ITEMS)
    assert partials(tmp_path) == []  # the killed export's folder is gone too


# -- a files dataset's snapshots ---------------------------------------------------------


@pytest.fixture
def pics(tmp_path: Path) -> tuple[Path, FilesDataset]:
    home = tmp_path / "home"
    make_labelled(home / "pics", "yolo")
    dataset = FilesDataset(home / "pics", home / ".galilean/datasets/pics")
    dataset.snapshot("as labelled", "alice")
    (home / "pics/labels/train/a.txt").write_text("1 0.5 0.5 0.25 0.25\n")
    dataset.snapshot("relabelled a", "alice")
    return home, dataset


def test_a_pinned_older_snapshot_exports_itself(pics: tuple[Path, FilesDataset]) -> None:
    home, dataset = pics
    shutil.rmtree(home / "pics/images/val")  # the work folder moved on: read the store
    args = {"format": "coco", "path": "out/first", "snapshot": 1}
    made = export_files_dataset(dataset.work, dataset.store_root, args)
    assert (made["path"], made["snapshot"], made["from_format"]) == ("out/first", 1, "yolo")
    first = read_labelled(FolderSource(home / "out/first"))
    assert close_enough(boxes_of(first), expected_boxes(ITEMS), tolerance=0.001)
    head = export_files_dataset(dataset.work, dataset.store_root, {"format": "voc", "path": "h"})
    assert head["snapshot"] == 2
    relabelled = boxes_of(read_labelled(FolderSource(home / "h")))
    assert relabelled[("train", "a.png")] == [("dog", 24.0, 18.0, 16.0, 12.0)]
    assert len(relabelled) == len(ITEMS)
    copied = home / "out/first/images/train/a.png"
    assert copied.stat().st_mode & 0o200, "a copy the user may edit, not the read-only object"
    assert copied.stat().st_ino != dataset.objects.path_of(_digest(dataset, copied)).stat().st_ino


def _digest(dataset: FilesDataset, copied: Path) -> str:
    from galilean_services.datasets.cas import sha256

    hasher = sha256()
    hasher.update(copied.read_bytes())
    digest = hasher.hexdigest()
    assert dataset.objects.has(digest)
    return digest


@pytest.mark.parametrize(
    ("args", "error", "field"),
    [
        ({"format": "csv", "path": "x"}, Invalid, "format"),
        ({"path": "x"}, Invalid, "format"),
        ({"format": "coco", "path": "../x"}, Invalid, "path"),
        ({"format": "coco", "path": "/tmp/x"}, Invalid, "path"),
        ({"format": "coco", "path": "pics/inside"}, Invalid, "path"),
        ({"format": "coco", "path": ".galilean/x"}, Invalid, "path"),
        ({"format": "coco", "path": ""}, Invalid, "path"),
        ({"format": "coco", "path": "x", "snapshot": 9}, NotFound, "snapshot"),
        ({"format": "coco", "path": "x", "snapshot": "1"}, Invalid, "snapshot"),
        ({"format": "coco", "path": "x", "overwrite": "yes"}, Invalid, "overwrite"),
    ],
)
def test_bad_export_requests_name_their_field(
    pics: tuple[Path, FilesDataset],
    args: dict[str, object],
    error: type[DatasetError],
    field: str,
) -> None:
    home, dataset = pics
    with pytest.raises(error) as refused:
        export_files_dataset(dataset.work, dataset.store_root, args)
    assert refused.value.field == field
    assert sorted(p.name for p in home.iterdir()) == [".galilean", "pics"]


# -- over HTTP -----------------------------------------------------------------------------


def test_the_export_route_for_labelled_images(datasets_app: Service) -> None:
    app = datasets_app
    home = app.folder_of("alice")
    make_labelled(home / "labelled", "yolo")
    dataset = app.ok("POST", "/api/datasets", {"name": "labelled", "folder": "labelled"}, 201)
    base = f"/api/datasets/{dataset['id']}"
    app.ok("POST", f"{base}/snapshots", {"message": "first"}, status=201)
    made = app.ok("POST", f"{base}/export", {"format": "coco", "path": "out/coco"}, 201)
    assert {k: made[k] for k in ("path", "format", "snapshot", "items", "boxes")} == {
        "path": "out/coco",
        "format": "coco",
        "snapshot": 1,
        "items": len(ITEMS),
        "boxes": BOXES,
    }
    back = read_labelled(FolderSource(home / "out/coco"))
    assert close_enough(boxes_of(back), expected_boxes(ITEMS), tolerance=0.001)
    again = {"format": "voc", "path": "out/coco", "overwrite": True}
    assert app.ok("POST", f"{base}/export", again, 201)["format"] == "voc"
    assert read_labelled(FolderSource(home / "out/coco")).format == "voc"
    tables = app.ok("POST", "/api/datasets", {"name": "rows", "driver": "tables"}, status=201)
    refusals = [
        (base, {"format": "coco", "path": "out/coco"}, 409, "path"),
        (base, {"format": "csv", "path": "a"}, 400, "format"),
        (base, {"path": "a"}, 400, "format"),
        (base, {"format": "coco", "path": "../up"}, 400, "path"),
        (base, {"format": "coco", "path": "labelled/inside"}, 400, "path"),
        (base, {"format": "coco", "path": "a", "snapshot": 42}, 404, "snapshot"),
        (base, {"format": "coco", "path": "a", "table": "t"}, 400, "table"),
        (
            f"/api/datasets/{tables['id']}",
            {"table": "t", "path": "a", "format": "yolo"},
            400,
            "format",
        ),
    ]
    for url, body, status, field in refusals:
        reply = app.call("POST", f"{url}/export", body)
        assert reply.status_code == status, (body, reply.text)
        assert reply.json()["errors"][0]["field"] == field, (body, reply.text)
    assert not (home / "a").exists()
    bob = app.call("POST", f"{base}/export", {"format": "coco", "path": "b"}, who="bob")
    assert bob.status_code in (403, 404)
