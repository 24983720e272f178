"""YOLO (Ultralytics / darknet) layout: a `data.yaml` naming the classes (`names` as a list
or {id: name}) and each split's image folder (`train: images/train`), and per image a
label file found by Ultralytics's rule (the last `images` folder of its path becomes
`labels`, the suffix `.txt`) with one `class cx cy w h [score]` line per box, normalised
to the image's size. `images/<split>/…` and Roboflow's `<split>/images/…` both read; an
image with no label file has no boxes."""

from __future__ import annotations

import math
import os
from pathlib import PurePosixPath
from typing import Any

import yaml

from ..model import Invalid
from .images import checked_box, class_numbers, image_size, is_image, name_of, split_named
from .model import Box, Item, Labelled
from .source import FileSource

YAMLS = ("data.yaml", "dataset.yaml", "data.yml")
CLASSES_TXT = "classes.txt"


def detect(paths: list[str]) -> bool:
    has_yaml = any(path in YAMLS for path in paths)
    has_labels = any(_label_folder(path) for path in paths)
    has_images = any(is_image(path) and "images" in PurePosixPath(path).parts for path in paths)
    return has_images and (has_yaml or has_labels)


def _label_folder(path: str) -> bool:
    return path.endswith(".txt") and "labels" in PurePosixPath(path).parts[:-1]


def label_path(image: str) -> str:
    """Ultralytics's rule: the last `images` folder becomes `labels`, the suffix `.txt`."""
    parts = list(PurePosixPath(image).parts)
    folders = [i for i, part in enumerate(parts[:-1]) if part == "images"]
    if folders:
        parts[folders[-1]] = "labels"
    else:
        parts.insert(0, "labels")
    parts[-1] = PurePosixPath(parts[-1]).stem + ".txt"
    return PurePosixPath(*parts).as_posix()


def image_path(item: Item) -> str:
    name = name_of(item.id)
    return f"images/{item.split}/{name}" if item.split else f"images/{name}"


# Reading --------------------------------------------------------------------------------


def _load_yaml(source: FileSource, paths: list[str]) -> tuple[str, dict[str, Any]]:
    found = [name for name in YAMLS if name in paths]
    if not found and CLASSES_TXT in paths:  # darknet's older spelling: one name a line
        text = source.read_bytes(CLASSES_TXT).decode("utf-8", "replace")
        return CLASSES_TXT, {"names": [line.strip() for line in text.splitlines() if line.strip()]}
    if not found:
        raise Invalid(
            "YOLO layout without data.yaml: add one naming the classes (names: [...]) or a "
            "classes.txt with one class name a line",
            item="data.yaml",
        )
    path = found[0]
    try:
        document = yaml.safe_load(source.read_bytes(path))
    except yaml.YAMLError as error:
        raise Invalid(f"{path}: not valid YAML ({error})", item=path) from None
    if not isinstance(document, dict):
        raise Invalid(f"{path}: a mapping with names and the splits is expected", item=path)
    return path, document


def _classes(path: str, names: Any) -> tuple[tuple[str, ...], dict[int, str]]:
    """The class names in id order, and id → name."""
    if isinstance(names, list):
        by_id = dict(enumerate(names))
    elif isinstance(names, dict):
        by_id = names
    else:
        raise Invalid(f"{path}: names: a list of class names or {{id: name}}", item=path)
    ids: dict[int, str] = {}
    for key, name in by_id.items():
        if isinstance(key, bool) or not isinstance(key, int) or key < 0:
            raise Invalid(f"{path}: names: class id {key!r} is not a whole number", item=path)
        if not isinstance(name, str) or not name.strip():
            raise Invalid(f"{path}: names: class {key} has no name", item=path)
        ids[key] = str(name)
    if len(set(ids.values())) != len(ids):
        raise Invalid(f"{path}: names: a class name is given twice", item=path)
    return tuple(ids[key] for key in sorted(ids)), ids


def _split_folders(document: dict[str, Any]) -> dict[str, str]:
    """Image folder → split name, from the yaml's train/val/test (and any other key whose
    value is a relative folder with images, such as `valid`)."""
    folders: dict[str, str] = {}
    for key, value in document.items():
        if key in ("path", "nc", "names") or not isinstance(value, str):
            continue
        folder = PurePosixPath(value.removeprefix("./"))
        if folder.is_absolute() or ".." in folder.parts or folder.suffix:
            continue
        folders[folder.as_posix().rstrip("/")] = str(key)
    return folders


def _split_of(image: str, folders: dict[str, str]) -> str:
    for folder, split in sorted(folders.items(), key=lambda pair: -len(pair[0])):
        if image.startswith(folder + "/"):
            return split
    parts = PurePosixPath(image).parts
    index = max(i for i, part in enumerate(parts[:-1]) if part == "images")
    if index + 2 < len(parts):  # images/<split>/name
        return parts[index + 1]
    return parts[index - 1] if index > 0 else ""  # <split>/images/name, or images/name


def _box(fields: list[str], ids: dict[int, str], size: tuple[int, int]) -> Box:
    if len(fields) not in (5, 6):
        raise ValueError(f"{len(fields)} values: a box is `class cx cy w h` and maybe a score")
    try:
        number = int(fields[0])
    except ValueError:
        raise ValueError(f"class {fields[0]!r} is not a class id") from None
    if number not in ids:
        raise ValueError(f"class id {number} is not in data.yaml's names (0 to {len(ids) - 1})")
    cx, cy, w, h = (float(value) for value in fields[1:5])
    if not all(math.isfinite(v) for v in (cx, cy, w, h)):
        raise ValueError("a coordinate is not a finite number")
    score = float(fields[5]) if len(fields) == 6 else None
    width, height = size
    pixels_w, pixels_h = w * width, h * height
    x, y = cx * width - pixels_w / 2, cy * height - pixels_h / 2
    return Box(ids[number], x, y, pixels_w, pixels_h, score)


def read_label_file(
    source: FileSource, path: str, ids: dict[int, str], size: tuple[int, int]
) -> tuple[Box, ...]:
    """The boxes of one label file; Invalid naming it (and the line) when one is wrong."""
    try:
        text = source.read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"{path}: not a text file", item=path) from None
    boxes = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        try:
            box = _box(fields, ids, size)
        except ValueError as error:
            reason = str(error)
            if reason.startswith("could not convert"):
                reason = "a value is not a number"
            raise Invalid(f"{path}: line {number}: {reason}", item=path) from None
        boxes.append(checked_box(box, size[0], size[1], f"line {number}", path))
    return tuple(boxes)


def read(source: FileSource) -> Labelled:
    paths = source.paths()
    yaml_path, document = _load_yaml(source, paths)
    classes, ids = _classes(yaml_path, document.get("names"))
    folders = _split_folders(document)
    present = set(paths)
    items = []
    for path in paths:
        if not is_image(path) or "images" not in PurePosixPath(path).parts[:-1]:
            continue
        split = _split_of(path, folders)
        if split:
            split_named(split, path)
        size = image_size(source, path)
        labels = label_path(path)
        boxes = read_label_file(source, labels, ids, size) if labels in present else ()
        has_file = labels if labels in present else None
        items.append(Item(path, split, size[0], size[1], boxes, has_file))
    extras = {key: value for key, value in document.items() if key != "names"}
    return Labelled("yolo", classes, tuple(items), extras)


# Writing --------------------------------------------------------------------------------


def _line(box: Box, item: Item, index: int) -> str:
    cx = (box.x + box.width / 2) / item.width
    cy = (box.y + box.height / 2) / item.height
    values = [cx, cy, box.width / item.width, box.height / item.height]
    text = " ".join(f"{value:.6f}" for value in values)
    score = "" if box.score is None else f" {box.score:.6g}"
    return f"{index} {text}{score}"


def _yaml(labelled: Labelled) -> bytes:
    """data.yaml: the layout's other keys kept, each split naming the folder its images
    are in, the classes. No `path`: Ultralytics then reads the folders beside the yaml."""
    document = {k: v for k, v in labelled.extras.items() if k not in ("path", "names", "nc")}
    folders: dict[str, list[str]] = {}
    for item in labelled.items:
        if item.split:
            folders.setdefault(item.split, []).append(PurePosixPath(item.id).parent.as_posix())
    for split, parents in folders.items():
        document[split] = os.path.commonpath(parents)
    document["nc"] = len(labelled.classes)
    document["names"] = list(labelled.classes)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()


def render(labelled: Labelled) -> dict[str, bytes]:
    """data.yaml and one label file per image (empty when it has no box), at the place
    Ultralytics looks for it beside the item's image path."""
    index = class_numbers(labelled)
    files: dict[str, bytes] = {"data.yaml": _yaml(labelled)}
    for item in labelled.items:
        path = label_path(item.id)
        if path in files:
            raise Invalid(
                f"{item.id}: another image of the split has the same name, and so the "
                f"same label file {path}",
                item=item.id,
            )
        lines = [_line(box, item, index[box.label]) for box in item.boxes]
        files[path] = "".join(line + "\n" for line in lines).encode()
    return files
