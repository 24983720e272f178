"""Pascal VOC layout: images in `JPEGImages/`, one `Annotations/<stem>.xml` per image
(size, and per object its name and bndbox xmin ymin xmax ymax: 1-based, inclusive pixel
indices, so a box from pixel x to x+w-1 counted from 0 is xmin = x+1, xmax = x+w), the
splits as lists of stems in `ImageSets/Main/<split>.txt` (the per-class two-column lists
beside them are not splits; `trainval` is the union of two others and is not one either).
VOC has no class list: CVAT's `labelmap.txt` is read (and written) when there, for the
classes' order and the classes no box uses yet. XML is parsed with defusedxml (no
entities, no external references)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..model import Invalid
from .images import (
    checked_box,
    class_numbers,
    image_size,
    is_image,
    name_of,
    number_text,
    split_named,
    stem_of,
)
from .model import Box, Item, Labelled
from .source import FileSource

IMAGES = "JPEGImages"
ANNOTATIONS = "Annotations"
SETS = "ImageSets/Main"
LABELMAP = "labelmap.txt"
PREFERRED = ("train", "val", "test")


def detect(paths: list[str]) -> bool:
    return any(path.startswith(f"{ANNOTATIONS}/") and path.endswith(".xml") for path in paths) or (
        any(path.startswith(f"{IMAGES}/") for path in paths)
        and any(path.startswith(f"{SETS}/") for path in paths)
    )


def image_path(item: Item) -> str:
    return f"{IMAGES}/{name_of(item.id)}"


def annotation_path(image: str) -> str:
    return f"{ANNOTATIONS}/{stem_of(image)}.xml"


# Reading --------------------------------------------------------------------------------


def _split_lists(source: FileSource, paths: list[str]) -> dict[str, str]:
    """Stem → split, from the one-column lists in ImageSets/Main (train before val
    before test before the others, when a stem is in two)."""
    lists: dict[str, list[str]] = {}
    for path in paths:
        folder, name = PurePosixPath(path).parent.as_posix(), PurePosixPath(path).stem
        if folder != SETS or not path.endswith(".txt") or name == "trainval":
            continue
        rows = [
            line.split() for line in source.read_bytes(path).decode("utf-8", "replace").splitlines()
        ]
        rows = [row for row in rows if row]
        if rows and all(len(row) == 1 for row in rows):
            lists[split_named(name, path)] = [row[0] for row in rows]
    order = sorted(lists, key=lambda s: (PREFERRED.index(s) if s in PREFERRED else 9, s))
    splits: dict[str, str] = {}
    for split in order:
        for stem in lists[split]:
            splits.setdefault(stem, split)
    return splits


def _text(node: Element, tag: str) -> str | None:
    found = node.find(tag)
    return None if found is None or found.text is None else found.text.strip()


def _float(node: Element, tag: str, path: str, where: str) -> float:
    value = _text(node, tag)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Invalid(f"{path}: {where}: <{tag}> {value!r} is not a number", item=path) from None


def _parse(source: FileSource, path: str) -> Element:
    try:
        root = fromstring(source.read_bytes(path))
    except (ParseError, DefusedXmlException) as error:
        raise Invalid(f"{path}: not valid XML ({error})", item=path) from None
    if root.tag != "annotation":
        raise Invalid(f"{path}: the root element must be <annotation>", item=path)
    return root


def _object(node: Element, path: str, number: int) -> Box:
    where = f"object {number}"
    name = _text(node, "name")
    if not name:
        raise Invalid(f"{path}: {where} has no <name>", item=path)
    bndbox = node.find("bndbox")
    if bndbox is None:
        raise Invalid(f"{path}: {where} ({name}) has no <bndbox>", item=path)
    xmin, ymin, xmax, ymax = (
        _float(bndbox, t, path, where) for t in ("xmin", "ymin", "xmax", "ymax")
    )
    score = None if node.find("score") is None else _float(node, "score", path, where)
    return Box(name, xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1, score)


def _size(root: Element, source: FileSource, path: str, image: str) -> tuple[int, int]:
    size = root.find("size")
    if size is not None:
        width, height = _float(size, "width", path, "size"), _float(size, "height", path, "size")
        if width >= 1 and height >= 1:
            return int(width), int(height)
    return image_size(source, image)  # VOC files with a 0x0 size exist: ask the image


def read_annotation(
    source: FileSource, path: str, image: str
) -> tuple[tuple[int, int], tuple[Box, ...]]:
    root = _parse(source, path)
    width, height = _size(root, source, path, image)
    boxes = tuple(
        checked_box(_object(node, path, number), width, height, f"object {number}", path)
        for number, node in enumerate(root.findall("object"), start=1)
    )
    return (width, height), boxes


def _labelmap(source: FileSource, paths: list[str]) -> list[str]:
    if LABELMAP not in paths:
        return []
    lines = source.read_bytes(LABELMAP).decode("utf-8", "replace").splitlines()
    return [
        line.split(":")[0].strip() for line in lines if line.strip() and not line.startswith("#")
    ]


def read(source: FileSource) -> Labelled:
    paths = source.paths()
    present = set(paths)
    splits = _split_lists(source, paths)
    items: list[Item] = []
    for path in paths:
        if not (path.startswith(f"{IMAGES}/") and is_image(path)):
            continue
        xml = annotation_path(path)
        if xml in present:
            (width, height), boxes = read_annotation(source, xml, path)
        else:
            (width, height), boxes = image_size(source, path), ()
        label_file = xml if xml in present else None
        items.append(Item(path, splits.get(stem_of(path), ""), width, height, boxes, label_file))
    classes = _labelmap(source, paths)
    used = sorted({box.label for item in items for box in item.boxes} - set(classes))
    return Labelled("voc", tuple(classes + used), tuple(items))


# Writing --------------------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _object_xml(box: Box) -> str:
    corners = (box.x + 1, box.y + 1, box.x + box.width, box.y + box.height)
    tags = ("xmin", "ymin", "xmax", "ymax")
    bndbox = "".join(f"<{t}>{number_text(v)}</{t}>" for t, v in zip(tags, corners, strict=True))
    score = "" if box.score is None else f"\n\t\t<score>{box.score:.6g}</score>"
    return (
        f"\t<object>\n\t\t<name>{_xml_text(box.label)}</name>\n\t\t<pose>Unspecified</pose>\n"
        f"\t\t<truncated>0</truncated>\n\t\t<difficult>0</difficult>{score}\n"
        f"\t\t<bndbox>{bndbox}</bndbox>\n\t</object>\n"
    )


def annotation_xml(item: Item) -> bytes:
    objects = "".join(_object_xml(box) for box in item.boxes)
    return (
        f"<annotation>\n\t<folder>{IMAGES}</folder>\n\t<filename>{_xml_text(name_of(item.id))}"
        f"</filename>\n\t<size>\n\t\t<width>{item.width}</width>\n\t\t<height>{item.height}"
        f"</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0</segmented>\n{objects}"
        "</annotation>\n"
    ).encode()


def render(labelled: Labelled) -> dict[str, bytes]:
    """An annotation per image (with no object when it has no box), the split lists and
    labelmap.txt; Invalid naming an image whose stem another image has (one XML each)."""
    class_numbers(labelled)
    files: dict[str, bytes] = {}
    lists: dict[str, list[str]] = {}
    for item in labelled.items:
        path = annotation_path(item.id)
        if path in files:
            raise Invalid(
                f"{item.id}: another image has the same name, and VOC keeps one "
                f"{ANNOTATIONS}/<name>.xml per name",
                item=item.id,
            )
        files[path] = annotation_xml(item)
        if item.split:
            lists.setdefault(item.split, []).append(stem_of(item.id))
    for split, stems in sorted(lists.items()):
        files[f"{SETS}/{split}.txt"] = "".join(stem + "\n" for stem in stems).encode()
    header = "# label:color_rgb:parts:actions\n"
    files[LABELMAP] = (header + "".join(f"{name}:::\n" for name in labelled.classes)).encode()
    return files
