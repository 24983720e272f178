"""Reading labelled images in YOLO, COCO (and Roboflow's COCO) and Pascal VOC layouts into
one model (datasets/labels): the same hand-written boxes come out of every layout, image
sizes come from the header only, and every corrupt label file is refused naming itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from labelled_images import (
    CLASSES,
    ITEMS,
    boxes_of,
    close_enough,
    expected_boxes,
    make_labelled,
    write_png,
)

from galilean_services.datasets.labels.formats import detect, module_of, read_labelled
from galilean_services.datasets.labels.images import image_size
from galilean_services.datasets.labels.model import Item
from galilean_services.datasets.labels.source import FolderSource
from galilean_services.datasets.labels.yolo import label_path
from galilean_services.datasets.model import Invalid

LAYOUTS = [("yolo", "yolo"), ("coco", "coco"), ("voc", "voc"), ("roboflow", "coco")]


@pytest.mark.parametrize(("written", "fmt"), LAYOUTS)
def test_every_layout_reads_the_same_boxes(tmp_path: Path, written: str, fmt: str) -> None:
    make_labelled(tmp_path, written)
    source = FolderSource(tmp_path)
    assert detect(source) == fmt
    labelled = read_labelled(source)
    assert labelled.format == fmt
    assert close_enough(boxes_of(labelled), expected_boxes(ITEMS), tolerance=0.001)
    assert sorted(labelled.classes) == sorted(CLASSES)
    assert labelled.splits == ("train", "val")
    sizes = {(i.split, Path(i.id).name): (i.width, i.height) for i in labelled.items}
    assert sizes == {(s, n): (w, h) for s, n, w, h, _ in ITEMS}
    unlabelled = [item for item in labelled.items if not item.boxes]
    assert [Path(item.id).name for item in unlabelled] == ["d.png"]
    for item in labelled.items:  # every item's image is where its id says
        assert (tmp_path / item.id).is_file()


def test_yolo_and_coco_keep_the_class_order(tmp_path: Path) -> None:
    make_labelled(tmp_path / "y", "yolo", names_as_dict=True)
    make_labelled(tmp_path / "c", "coco")
    assert read_labelled(FolderSource(tmp_path / "y")).classes == tuple(CLASSES)
    assert read_labelled(FolderSource(tmp_path / "c")).classes == tuple(CLASSES)


def test_nothing_labelled_names_format_and_what_was_looked_for(tmp_path: Path) -> None:
    write_png(tmp_path / "loose.png", 8, 8, 1)
    with pytest.raises(Invalid) as refused:
        detect(FolderSource(tmp_path))
    assert refused.value.field == "format"
    assert "data.yaml" in refused.value.message
    assert "instances_<split>.json" in refused.value.message
    assert "Annotations/*.xml" in refused.value.message


def test_image_size_reads_the_header_only(tmp_path: Path) -> None:
    write_png(tmp_path / "whole.png", 300, 200, 3)
    data = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[:60])  # the header, no pixel data
    source = FolderSource(tmp_path)
    assert image_size(source, "whole.png") == (300, 200)
    assert image_size(source, "cut.png") == (300, 200)
    (tmp_path / "fake.png").write_text("not a picture")
    with pytest.raises(Invalid) as refused:
        image_size(source, "fake.png")
    assert refused.value.item == "fake.png"


def test_scores_are_read_from_every_layout(tmp_path: Path) -> None:
    items = [("train", "s.png", 40, 20, [("cat", 0, 0, 20, 10)])]
    for fmt in ("yolo", "coco", "voc"):
        make_labelled(tmp_path / fmt, fmt, items)
    yolo_file = tmp_path / "yolo/labels/train/s.txt"
    yolo_file.write_text(yolo_file.read_text().strip() + " 0.75\n")
    coco_file = tmp_path / "coco/annotations/instances_train.json"
    document = json.loads(coco_file.read_text())
    document["annotations"][0]["score"] = 0.75
    coco_file.write_text(json.dumps(document))
    voc_file = tmp_path / "voc/Annotations/s.xml"
    voc_file.write_text(
        voc_file.read_text().replace("<difficult>", "<score>0.75</score><difficult>")
    )
    for fmt in ("yolo", "coco", "voc"):
        labelled = read_labelled(FolderSource(tmp_path / fmt))
        assert labelled.items[0].score == 0.75, fmt


def test_yolo_reads_roboflows_split_first_layout(tmp_path: Path) -> None:
    make_labelled(tmp_path / "std", "yolo")
    root = tmp_path / "rf"
    for split in ("train", "val"):
        shutil.copytree(tmp_path / "std/images" / split, root / split / "images")
        shutil.copytree(tmp_path / "std/labels" / split, root / split / "labels")
    names = json.dumps(CLASSES)
    (root / "data.yaml").write_text(f"train: ../train/images\nval: ../val/images\nnames: {names}\n")
    labelled = read_labelled(FolderSource(root))
    assert labelled.format == "yolo"
    assert close_enough(boxes_of(labelled), expected_boxes(ITEMS), tolerance=0.001)
    assert label_path("train/images/a.png") == "train/labels/a.txt"
    assert label_path("images/val/sub/b.jpg") == "labels/val/sub/b.txt"


def test_layouts_place_images_where_their_tools_look() -> None:
    item = Item("whatever/x/a.png", "val", 4, 4)
    assert module_of("yolo").image_path(item) == "images/val/a.png"
    assert module_of("coco").image_path(item) == "images/val/a.png"
    assert module_of("voc").image_path(item) == "JPEGImages/a.png"


# -- corrupt files: each refusal names the file -------------------------------------------

YOLO_LABELS = "labels/train/a.txt"
COCO_JSON = "annotations/instances_train.json"
VOC_XML = "Annotations/a.xml"


def _replace_line(path: Path, line: str) -> None:
    path.write_text(line + "\n")


def _coco_edit(root: Path, edit: str) -> None:
    path = root / COCO_JSON
    if edit == "malformed":
        path.write_text('{"images": [')
        return
    document = json.loads(path.read_text())
    first = document["annotations"][0]
    if edit == "unknown category":
        first["category_id"] = 99
    elif edit == "outside":
        first["bbox"] = [50, 40, 30, 30]
    elif edit == "bbox shape":
        first["bbox"] = [1, 2, "3"]
    elif edit == "missing image":
        document["images"][0]["file_name"] = "gone.png"
    elif edit == "orphan annotation":
        first["image_id"] = 12345
    elif edit == "image twice":
        document["images"].append(dict(document["images"][0], file_name="b.png"))
    path.write_text(json.dumps(document))


YOLO_CASES = [
    ("0 0.5 half 0.2 0.2", "not a number"),
    ("7 0.5 0.5 0.2 0.2", "class id 7"),
    ("0 0.5 0.5 0.2", "4 values"),
    ("0 1.4 0.5 0.5 0.5", "outside"),
    ("x 0.5 0.5 0.2 0.2", "not a class id"),
    ("0 0.5 0.5 0 0.2", "no area"),
    ("0 nan 0.5 0.2 0.2", "finite"),
]


@pytest.mark.parametrize(("line", "said"), YOLO_CASES)
def test_a_corrupt_yolo_label_file_is_named(tmp_path: Path, line: str, said: str) -> None:
    make_labelled(tmp_path, "yolo")
    _replace_line(tmp_path / YOLO_LABELS, "0 0.5 0.5 0.1 0.1\n" + line)
    with pytest.raises(Invalid) as refused:
        read_labelled(FolderSource(tmp_path))
    assert refused.value.item == YOLO_LABELS
    assert said in refused.value.message
    assert "line 2" in refused.value.message


@pytest.mark.parametrize(
    "text", ["names: [cat, dog\n", "just text\n", "names: 3\n", "names: {zero: cat}\n"]
)
def test_a_bad_data_yaml_is_named(tmp_path: Path, text: str) -> None:
    make_labelled(tmp_path, "yolo")
    (tmp_path / "data.yaml").write_text(text)
    with pytest.raises(Invalid) as refused:
        read_labelled(FolderSource(tmp_path))
    assert refused.value.item == "data.yaml"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ("malformed", "not valid JSON"),
        ("unknown category", "category_id 99"),
        ("outside", "outside"),
        ("bbox shape", "bbox must be"),
        ("missing image", "'gone.png' is not in images/train/"),
        ("orphan annotation", "12345"),
        ("image twice", "image id 100 is given twice"),
    ],
)
def test_a_corrupt_coco_file_is_named(tmp_path: Path, edit: str, said: str) -> None:
    make_labelled(tmp_path, "coco")
    _coco_edit(tmp_path, edit)
    with pytest.raises(Invalid) as refused:
        read_labelled(FolderSource(tmp_path), "coco")
    assert refused.value.item == COCO_JSON
    assert said in refused.value.message


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx">'
    '<!ENTITY y "&x;&x;&x;&x;&x;&x;&x;&x;">]><annotation>&y;</annotation>'
)


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda t: t[: len(t) // 2], "not valid XML"),
        (lambda t: t.replace("<xmin>5</xmin>", "<xmin>five</xmin>"), "'five' is not a number"),
        (lambda t: t.replace("<xmax>24</xmax>", "<xmax>240</xmax>"), "outside"),
        (lambda t: t.replace("<name>cat</name>", ""), "has no <name>"),
        (lambda t: BOMB, "not valid XML"),
        (lambda t: t.replace("annotation>", "note>"), "<annotation>"),
    ],
)
def test_a_corrupt_voc_file_is_named(tmp_path: Path, edit: object, said: str) -> None:
    make_labelled(tmp_path, "voc")
    xml = tmp_path / VOC_XML
    xml.write_text(edit(xml.read_text()))  # type: ignore[operator]
    with pytest.raises(Invalid) as refused:
        read_labelled(FolderSource(tmp_path))
    assert refused.value.item == VOC_XML
    assert said in refused.value.message


@pytest.mark.parametrize("fmt", ["yolo", "coco", "voc"])
def test_an_image_that_is_not_one_is_named(tmp_path: Path, fmt: str) -> None:
    make_labelled(tmp_path, fmt, [*ITEMS, ("val", "z.png", 10, 10, [])])
    image = next(tmp_path.rglob("z.png"))
    image.write_bytes(b"garbage, not a PNG")
    if fmt == "coco":  # COCO's JSON gives the size; drop it so the image is opened
        path = tmp_path / "annotations/instances_val.json"
        document = json.loads(path.read_text())
        for entry in document["images"]:
            entry.pop("width")
            entry.pop("height")
        path.write_text(json.dumps(document))
    with pytest.raises(Invalid) as refused:
        read_labelled(FolderSource(tmp_path))
    assert refused.value.item == image.relative_to(tmp_path).as_posix()


def test_yolo_takes_darknets_classes_txt_and_names_a_missing_data_yaml(tmp_path: Path) -> None:
    make_labelled(tmp_path, "yolo")
    (tmp_path / "data.yaml").unlink()
    (tmp_path / "classes.txt").write_text("\n".join(CLASSES) + "\n")
    labelled = read_labelled(FolderSource(tmp_path))
    assert labelled.classes == tuple(CLASSES)
    assert close_enough(boxes_of(labelled), expected_boxes(ITEMS), tolerance=0.001)
    (tmp_path / "classes.txt").unlink()
    with pytest.raises(Invalid) as refused:
        read_labelled(FolderSource(tmp_path))
    assert refused.value.item == "data.yaml"


def test_an_image_two_coco_files_list_is_named(tmp_path: Path) -> None:
    make_labelled(tmp_path, "coco")
    path = tmp_path / "annotations/instances_val.json"
    document = json.loads(path.read_text())
    document["images"][0]["file_name"] = "train/a.png"  # found as images/train/a.png
    path.write_text(json.dumps(document))
    with pytest.raises(Invalid) as refused:
        read_labelled(FolderSource(tmp_path))
    assert refused.value.item == "annotations/instances_val.json"
    assert "instances_train.json" in refused.value.message
