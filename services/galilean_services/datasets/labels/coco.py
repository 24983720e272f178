"""COCO layout: per split an `annotations/instances_<split>.json` (images[], annotations[]
with `bbox` [x, y, w, h] in pixels and maybe a `score`, categories[] whose ids need not
start at 0) with the images under `images/<split>/` (also `<split>/`, COCO's own
`train2017/`), or Roboflow's `<split>/_annotations.coco.json` with the images beside it.
Images in those folders that no JSON lists are items without boxes."""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from ..model import Invalid
from .images import checked_box, class_numbers, image_size, is_image, name_of, split_named
from .model import Box, Item, Labelled
from .source import FileSource

STANDARD = re.compile(r"^annotations/instances(?:_([A-Za-z0-9][A-Za-z0-9_-]*))?\.json$")
ROBOFLOW = "_annotations.coco.json"


def is_annotation_file(path: str) -> bool:
    return bool(STANDARD.fullmatch(path)) or name_of(path) == ROBOFLOW


def detect(paths: list[str]) -> bool:
    return any(is_annotation_file(path) for path in paths)


def split_of_file(path: str) -> str:
    """The split a JSON holds: instances_<split>.json, or <split>/_annotations.coco.json."""
    match = STANDARD.fullmatch(path)
    if match:
        return match.group(1) or ""
    parent = PurePosixPath(path).parent
    return "" if parent == PurePosixPath(".") else parent.name


def image_folders(json_path: str, split: str) -> list[str]:
    """Where the file names of `json_path`'s images are looked up, in order."""
    if name_of(json_path) == ROBOFLOW:
        parent = PurePosixPath(json_path).parent.as_posix()
        return ["" if parent == "." else parent]
    if split:
        return [f"images/{split}", "images", split, ""]
    return ["images", ""]


def image_path(item: Item) -> str:
    name = name_of(item.id)
    return f"images/{item.split}/{name}" if item.split else f"images/{name}"


# Reading --------------------------------------------------------------------------------


def _load(source: FileSource, path: str) -> dict[str, Any]:
    try:
        document = json.loads(source.read_bytes(path))
    except (ValueError, UnicodeDecodeError) as error:
        raise Invalid(f"{path}: not valid JSON ({error})", item=path) from None
    if not isinstance(document, dict):
        raise Invalid(f"{path}: a COCO file is an object with images and categories", item=path)
    for key in ("images", "categories"):
        if not isinstance(document.get(key), list):
            raise Invalid(f"{path}: `{key}` must be a list", item=path)
    if not isinstance(document.get("annotations", []), list):
        raise Invalid(f"{path}: `annotations` must be a list", item=path)
    return document


def _entry(path: str, kind: str, entry: Any, index: int) -> dict[str, Any]:
    if not isinstance(entry, dict) or "id" not in entry:
        raise Invalid(f"{path}: {kind}[{index}] is not an object with an id", item=path)
    if isinstance(entry["id"], bool) or not isinstance(entry["id"], int | str):
        raise Invalid(f"{path}: {kind}[{index}]: id must be a number", item=path)
    return entry


def _categories(path: str, document: dict[str, Any]) -> dict[Any, str]:
    names: dict[Any, str] = {}
    for index, raw in enumerate(document["categories"]):
        entry = _entry(path, "categories", raw, index)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Invalid(f"{path}: category {entry['id']} has no name", item=path)
        if entry["id"] in names:
            raise Invalid(f"{path}: category id {entry['id']} is given twice", item=path)
        names[entry["id"]] = name
    return names


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _box(path: str, raw: Any, index: int, names: dict[Any, str]) -> tuple[Any, Box]:
    entry = _entry(path, "annotations", raw, index)
    where = f"annotation {entry['id']}"
    if entry.get("category_id") not in names:
        raise Invalid(
            f"{path}: {where}: category_id {entry.get('category_id')!r} is not a category",
            item=path,
        )
    bbox = entry.get("bbox")
    if not isinstance(bbox, list) or len(bbox) != 4 or not all(_number(v) for v in bbox):
        raise Invalid(f"{path}: {where}: bbox must be [x, y, width, height]", item=path)
    score = entry.get("score")
    if score is not None and not _number(score):
        raise Invalid(f"{path}: {where}: score must be a number", item=path)
    x, y, width, height = (float(v) for v in bbox)
    sure = None if score is None else float(score)
    box = Box(names[entry["category_id"]], x, y, width, height, sure)
    return entry.get("image_id"), box


def _locate(path: str, file_name: Any, split: str, present: set[str]) -> str:
    if not isinstance(file_name, str) or not file_name or ".." in PurePosixPath(file_name).parts:
        raise Invalid(f"{path}: an image's file_name {file_name!r} is not a file name", item=path)
    folders = image_folders(path, split)
    for folder in folders:
        candidate = f"{folder}/{file_name}" if folder else file_name
        if candidate in present:
            return candidate
    looked = ", ".join(f"{folder or '.'}/" for folder in folders)
    raise Invalid(f"{path}: image {file_name!r} is not in {looked}", item=path)


def _size(source: FileSource, path: str, entry: dict[str, Any], image: str) -> tuple[int, int]:
    width, height = entry.get("width"), entry.get("height")
    if width is None and height is None:
        return image_size(source, image)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (width, height)):
        raise Invalid(f"{path}: image {entry['id']}: width and height must be > 0", item=path)
    return int(width), int(height)  # type: ignore[arg-type]


def _read_file(
    source: FileSource, path: str, present: set[str]
) -> tuple[list[Item], dict[Any, str], dict[str, Any]]:
    document = _load(source, path)
    split = split_of_file(path)
    if split:
        split_named(split, path)
    names = _categories(path, document)
    boxes: dict[Any, list[Box]] = {}
    for index, raw in enumerate(document.get("annotations", [])):
        image_id, box = _box(path, raw, index, names)
        boxes.setdefault(image_id, []).append(box)
    items, known = [], set()
    for index, raw in enumerate(document["images"]):
        entry = _entry(path, "images", raw, index)
        if entry["id"] in known:
            raise Invalid(f"{path}: image id {entry['id']} is given twice", item=path)
        image = _locate(path, entry.get("file_name"), split, present)
        width, height = _size(source, path, entry, image)
        where = f"image {entry['id']} ({image})"
        checked = tuple(
            checked_box(box, width, height, where, path) for box in boxes.get(entry["id"], [])
        )
        items.append(Item(image, split, width, height, checked, path))
        known.add(entry["id"])
    orphans = set(boxes) - known
    if orphans:
        raise Invalid(
            f"{path}: annotations name image id {min(map(str, orphans))}, which "
            "is not among the images",
            item=path,
        )
    return items, names, document


def _unlisted(
    source: FileSource, paths: list[str], listed: set[str], splits: set[str]
) -> list[Item]:
    """Images under images/<split>/ (or images/) that no JSON lists: items without boxes."""
    found = []
    for path in paths:
        parts = PurePosixPath(path).parts
        if path in listed or not is_image(path) or parts[0] != "images":
            continue
        split = parts[1] if len(parts) == 3 and parts[1] in splits else ""
        if len(parts) == 2 or split:
            width, height = image_size(source, path)
            found.append(Item(path, split, width, height))
    return found


def _refuse_listed_twice(path: str, items: list[Item], found: list[Item]) -> None:
    earlier = {item.id: item.label_file for item in items}
    for item in found:
        if item.id in earlier:
            raise Invalid(
                f"{path}: image {item.id} is listed here and in {earlier[item.id]}", item=path
            )
        earlier[item.id] = path


def read(source: FileSource) -> Labelled:
    paths = source.paths()
    present = set(paths)
    items: list[Item] = []
    ids: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for path in (p for p in paths if is_annotation_file(p)):
        found, names, document = _read_file(source, path, present)
        _refuse_listed_twice(path, items, found)
        items.extend(found)
        for number, name in sorted(names.items(), key=lambda pair: str(pair[0])):
            ids.setdefault(name, number)
        for key in ("info", "licenses"):
            if key in document:
                extras.setdefault(key, document[key])
    listed = {item.id for item in items}
    items.extend(_unlisted(source, paths, listed, {item.split for item in items}))
    ordered = sorted(ids, key=lambda name: (str(type(ids[name])), ids[name]))
    extras["category_ids"] = {name: ids[name] for name in ordered}
    items.sort(key=lambda item: item.id)
    return Labelled("coco", tuple(ordered), tuple(items), extras)


# Writing --------------------------------------------------------------------------------


def file_name_of(item: Item, json_path: str) -> str:
    for folder in image_folders(json_path, item.split):
        if not folder:
            return item.id
        if item.id.startswith(folder + "/"):
            return item.id[len(folder) + 1 :]
    return name_of(item.id)


def json_path_of(split: str, items: list[Item]) -> str:
    """The JSON a split's items go to: the one they were read from, else the standard."""
    for item in items:
        named = item.label_file
        if named and is_annotation_file(named) and split_of_file(named) == split:
            return named
    return f"annotations/instances_{split}.json" if split else "annotations/instances.json"


def _category_ids(labelled: Labelled) -> dict[str, int]:
    kept = labelled.extras.get("category_ids") or {}
    ids = {name: number for name, number in kept.items() if isinstance(number, int)}
    ids = {name: number for name, number in ids.items() if name in labelled.classes}
    following = max(ids.values(), default=0) + 1
    for name in labelled.classes:
        if name not in ids:
            ids[name] = following
            following += 1
    return ids


def _annotation(number: int, image_id: int, category: int, box: Box) -> dict[str, Any]:
    bbox = [round(box.x, 3), round(box.y, 3), round(box.width, 3), round(box.height, 3)]
    out: dict[str, Any] = {"id": number, "image_id": image_id, "category_id": category}
    out |= {"bbox": bbox, "area": round(box.width * box.height, 3), "iscrowd": 0}
    if box.score is not None:
        out["score"] = box.score
    return out


def render(labelled: Labelled) -> dict[str, bytes]:
    class_numbers(labelled)  # every box's label is a class
    ids = _category_ids(labelled)
    categories = [{"id": ids[name], "name": name, "supercategory": ""} for name in labelled.classes]
    splits: dict[str, list[Item]] = {}
    for item in labelled.items:
        splits.setdefault(item.split, []).append(item)
    files: dict[str, bytes] = {}
    image_id = annotation_id = 0
    for split in sorted(splits):
        path = json_path_of(split, splits[split])
        images, annotations = [], []
        for item in splits[split]:
            image_id += 1
            name = file_name_of(item, path)
            images.append(
                {"id": image_id, "file_name": name, "width": item.width, "height": item.height}
            )
            for box in item.boxes:
                annotation_id += 1
                annotations.append(_annotation(annotation_id, image_id, ids[box.label], box))
        document = {
            key: labelled.extras[key] for key in ("info", "licenses") if key in labelled.extras
        }
        document |= {"images": images, "annotations": annotations, "categories": categories}
        files[path] = json.dumps(document, indent=1, ensure_ascii=False).encode()
    return files
