"""Labelled image sets for tests, written by hand in YOLO, COCO (also Roboflow's layout) or
Pascal VOC: real PNG images (Pillow, small, each its own colour) and label files written
here, never through the product's renderers, so reading and converting tests are not
circular.

`items` are `(split, file name, width, height, [(label, x, y, w, h), ...])` with boxes in
pixels from the image's top-left corner (the model's convention); `make_labelled` returns
them so a test can compare what a reader found with `expected_boxes(items)` and
`boxes_of(labelled)`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image

from galilean_services.datasets.labels.model import Labelled

BoxSpec = tuple[str, float, float, float, float]
ItemSpec = tuple[str, str, int, int, Sequence[BoxSpec]]

CLASSES = ["cat", "dog", "bird"]
ITEMS: list[ItemSpec] = [
    ("train", "a.png", 64, 48, [("cat", 4, 6, 20, 16), ("dog", 30, 10, 24, 30)]),
    ("train", "b.png", 40, 40, [("bird", 0, 0, 40, 40)]),
    ("train", "c.png", 50, 30, [("dog", 10, 5, 10, 10), ("dog", 25, 12, 20, 15)]),
    ("train", "d.png", 32, 32, []),  # an image nobody labelled yet
    ("train", "e.png", 48, 64, [("cat", 8, 8, 16, 40), ("bird", 30, 2, 12, 12)]),
    ("val", "f.png", 64, 64, [("cat", 1, 1, 62, 62)]),
    ("val", "g.png", 36, 24, [("bird", 3, 4, 5, 6), ("dog", 20, 10, 10, 10)]),
    ("val", "h.png", 30, 40, [("cat", 0, 20, 15, 20)]),
]


def write_png(path: Path, width: int, height: int, index: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    colour = ((53 * index) % 256, (97 * index + 40) % 256, (151 * index + 80) % 256)
    Image.new("RGB", (width, height), colour).save(path, format="PNG")


def make_labelled(
    root: Path,
    fmt: str,
    items: Sequence[ItemSpec] = ITEMS,
    classes: Sequence[str] = CLASSES,
    *,
    names_as_dict: bool = False,
) -> list[ItemSpec]:
    """Write `items` under `root` in `fmt`: yolo, coco, voc or roboflow (COCO with
    `<split>/_annotations.coco.json` beside the images). `names_as_dict`: YOLO's
    `names` as {id: name} rather than a list."""
    writers = {"coco": _coco, "voc": _voc, "roboflow": _roboflow}
    if fmt != "yolo" and fmt not in writers:
        raise ValueError(f"make_labelled: unknown format {fmt!r}")
    root.mkdir(parents=True, exist_ok=True)
    if fmt == "yolo":
        _yolo(root, items, classes, names_as_dict)
    else:
        writers[fmt](root, items, classes)
    return list(items)


def expected_boxes(items: Sequence[ItemSpec]) -> dict[tuple[str, str], list[BoxSpec]]:
    """(split, file name) → its boxes, sorted, as `boxes_of` gives them."""
    return {(split, name): sorted(boxes) for split, name, _, _, boxes in items}


def boxes_of(labelled: Labelled) -> dict[tuple[str, str], list[BoxSpec]]:
    """What a reader found, keyed like `expected_boxes` (by the image's file name)."""
    found: dict[tuple[str, str], list[BoxSpec]] = {}
    for item in labelled.items:
        key = (item.split, PurePosixPath(item.id).name)
        found[key] = sorted((b.label, b.x, b.y, b.width, b.height) for b in item.boxes)
    return found


def close_enough(
    found: dict[tuple[str, str], list[BoxSpec]],
    wanted: dict[tuple[str, str], list[BoxSpec]],
    tolerance: float = 0.5,
) -> bool:
    """The same items, labels and box count, every coordinate within `tolerance` pixels."""
    if found.keys() != wanted.keys():
        return False
    for key, boxes in wanted.items():
        got = found[key]
        if len(got) != len(boxes):
            return False
        for a, b in zip(got, boxes, strict=True):
            if a[0] != b[0] or any(
                abs(p - q) > tolerance for p, q in zip(a[1:], b[1:], strict=True)
            ):
                return False
    return True


def _images(root: Path, folder: str, items: Sequence[ItemSpec]) -> None:
    for index, (split, name, width, height, _) in enumerate(items):
        write_png(root / folder.format(split=split) / name, width, height, index + 1)


def _yolo(
    root: Path, items: Sequence[ItemSpec], classes: Sequence[str], names_as_dict: bool
) -> None:
    _images(root, "images/{split}", items)
    splits = sorted({item[0] for item in items})
    lines = ["path: .", *(f"{split}: images/{split}" for split in splits)]
    lines.append(f"nc: {len(classes)}")
    if names_as_dict:  # YOLO's other spelling: a mapping of class id to name
        lines.append("names:")
        lines.extend(f"  {index}: {json.dumps(name)}" for index, name in enumerate(classes))
    else:
        lines.append(f"names: {json.dumps(list(classes))}")
    (root / "data.yaml").write_text("\n".join(lines) + "\n")
    for split, name, width, height, boxes in items:
        if not boxes:
            continue
        rows = []
        for label, x, y, w, h in boxes:
            cx, cy = (x + w / 2) / width, (y + h / 2) / height
            rows.append(
                f"{classes.index(label)} {cx:.6f} {cy:.6f} {w / width:.6f} {h / height:.6f}"
            )
        label_file = root / "labels" / split / (PurePosixPath(name).stem + ".txt")
        label_file.parent.mkdir(parents=True, exist_ok=True)
        label_file.write_text("\n".join(rows) + "\n")


def _coco_document(items: Sequence[ItemSpec], classes: Sequence[str]) -> dict[str, Any]:
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for index, (_, name, width, height, boxes) in enumerate(items):
        image_id = 100 + index
        images.append({"id": image_id, "file_name": name, "width": width, "height": height})
        for label, x, y, w, h in boxes:
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": 1 + classes.index(label),  # COCO ids need not start at 0
                    "bbox": [x, y, w, h],
                    "area": w * h,
                    "iscrowd": 0,
                }
            )
    categories = [{"id": 1 + i, "name": name} for i, name in enumerate(classes)]
    return {"images": images, "annotations": annotations, "categories": categories}


def _coco(root: Path, items: Sequence[ItemSpec], classes: Sequence[str]) -> None:
    _images(root, "images/{split}", items)
    for split in sorted({item[0] for item in items}):
        document = _coco_document([i for i in items if i[0] == split], classes)
        target = root / "annotations" / f"instances_{split}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(document, indent=1))


def _roboflow(root: Path, items: Sequence[ItemSpec], classes: Sequence[str]) -> None:
    _images(root, "{split}", items)
    for split in sorted({item[0] for item in items}):
        document = _coco_document([i for i in items if i[0] == split], classes)
        (root / split / "_annotations.coco.json").write_text(json.dumps(document))


def _voc_xml(name: str, width: int, height: int, boxes: Sequence[BoxSpec]) -> str:
    objects = "".join(
        f"<object><name>{label}</name><difficult>0</difficult><bndbox>"
        f"<xmin>{x + 1:g}</xmin><ymin>{y + 1:g}</ymin>"
        f"<xmax>{x + w:g}</xmax><ymax>{y + h:g}</ymax></bndbox></object>"
        for label, x, y, w, h in boxes
    )
    return (
        f"<annotation><folder>JPEGImages</folder><filename>{name}</filename>"
        f"<size><width>{width}</width><height>{height}</height><depth>3</depth></size>"
        f"{objects}</annotation>\n"
    )


def _voc(root: Path, items: Sequence[ItemSpec], classes: Sequence[str]) -> None:
    """VOC corners are 1-based and inclusive: a box from pixel x to x+w-1 (0-based) is
    xmin = x+1, xmax = x+w."""
    _images(root, "JPEGImages", items)
    (root / "Annotations").mkdir(parents=True, exist_ok=True)
    (root / "ImageSets/Main").mkdir(parents=True, exist_ok=True)
    for _, name, width, height, boxes in items:
        if boxes:
            xml = _voc_xml(name, width, height, boxes)
            (root / "Annotations" / (PurePosixPath(name).stem + ".xml")).write_text(xml)
    for split in sorted({item[0] for item in items}):
        stems = [PurePosixPath(i[1]).stem for i in items if i[0] == split]
        (root / "ImageSets/Main" / f"{split}.txt").write_text("\n".join(stems) + "\n")
