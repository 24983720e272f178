"""Checking a batch of edits against a labelled set before anything is touched, one edit
after another on the model (a later edit sees the earlier ones): the new set, the file
steps (copy an added image in, move, remove) and both renderings of the label files.
Unknown items are NotFound naming them; every other mistake is Invalid naming its field
(op, item, split, boxes, from, to) and the item."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from ..model import Invalid, NotFound
from .formats import module_of
from .images import image_size, is_image, name_of
from .model import Box, Item, Labelled, check_label, check_split
from .source import FolderSource

MAX_EDITS = 10_000
MAX_BOXES = 10_000
FIELDS = {
    "add": ({"from", "split"}, {"boxes"}),
    "remove": ({"item"}, set()),
    "move": ({"item", "split"}, set()),
    "relabel": ({"item"}, {"boxes", "from", "to"}),
}


@dataclass(frozen=True)
class Step:
    op: Literal["copy", "move", "remove"]
    source: str  # copy: an absolute path in the owner's folder; else the dataset's path
    target: str = ""


@dataclass
class Change:
    before: Labelled
    after: Labelled
    steps: list[Step]
    described: list[str]
    counts: Counter[str] = field(default_factory=Counter)
    rendered_before: dict[str, bytes] = field(default_factory=dict)
    rendered_after: dict[str, bytes] = field(default_factory=dict)

    def render_before(self) -> dict[str, bytes]:
        return self.rendered_before

    def render_after(self) -> dict[str, bytes]:
        return self.rendered_after

    def summary(self) -> str:
        return ", ".join(f"{op} {self.counts[op]}" for op in FIELDS if self.counts[op])


class _Draft:
    """The set being edited: items by id (in the set's order), classes, file steps."""

    def __init__(self, labelled: Labelled, home: Path, work: Path) -> None:
        self.labelled = labelled
        self.items = {item.id: item for item in labelled.items}
        self.classes = list(labelled.classes)
        self.home = home
        self.work = work
        self.freed: set[str] = set()  # paths an earlier edit moved or removed
        self.steps: list[Step] = []
        self.described: list[str] = []
        self.counts: Counter[str] = Counter()

    def item(self, value: Any) -> Item:
        if not isinstance(value, str) or value not in self.items:
            raise NotFound(f"no item {value!r} in the dataset", field="item", item=str(value))
        return self.items[value]

    def target_of(self, item: Item, field: str) -> str:
        """Where `item`'s image goes: beside the images of its split, else the layout's
        own place for it; Invalid when another image is there."""
        folders = Counter(
            PurePosixPath(other.id).parent.as_posix()
            for other in self.items.values()
            if other.split == item.split and other.id != item.id
        )
        if folders:
            folder = folders.most_common(1)[0][0]
            name = name_of(item.id)
            target = name if folder == "." else f"{folder}/{name}"
        else:
            target = module_of(self.labelled.format).image_path(item)
        taken = target in self.items or (target not in self.freed and (self.work / target).exists())
        if target != item.id and taken:
            raise Invalid(f"{target!r}: another image is already there", field=field, item=item.id)
        return target

    def learn(self, boxes: tuple[Box, ...]) -> None:
        for box in boxes:
            if box.label not in self.classes:
                self.classes.append(box.label)

    def result(self) -> Labelled:
        items = tuple(sorted(self.items.values(), key=lambda item: item.id))
        extras = self.labelled.extras
        return Labelled(self.labelled.format, tuple(self.classes), items, extras)


def check_edits(labelled: Labelled, edits: Any, home: Path, work: Path) -> Change:
    """`home`: the owner's folder, resolved; `work`: the dataset's folder."""
    if not isinstance(edits, list) or not edits or len(edits) > MAX_EDITS:
        raise Invalid(f"edits must be a list of 1 to {MAX_EDITS} edits", field="edits")
    draft = _Draft(labelled, home, work)
    for index, edit in enumerate(edits):
        op = _op(edit, index)
        APPLY[op](draft, edit)
        draft.counts[op] += 1
    module = module_of(labelled.format)
    after = draft.result()
    return Change(
        before=labelled,
        after=after,
        steps=draft.steps,
        described=draft.described,
        counts=draft.counts,
        rendered_before=module.render(labelled),
        rendered_after=module.render(after),
    )


def _op(edit: Any, index: int) -> str:
    if not isinstance(edit, dict):
        raise Invalid(f"edit {index + 1} is not an object", field="edits")
    op = edit.get("op")
    if op not in FIELDS:
        raise Invalid(f"edit {index + 1}: op must be one of {', '.join(FIELDS)}", field="op")
    required, optional = FIELDS[op]
    for name in sorted(required - set(edit)):
        raise Invalid(f"edit {index + 1} ({op}) needs {name}", field=name)
    for name in sorted(set(edit) - required - optional - {"op"}):
        raise Invalid(f"edit {index + 1}: {name} is not a field of {op}", field=name)
    return str(op)


def _add(draft: _Draft, edit: dict[str, Any]) -> None:
    relative, width, height = _image_from(draft.home, edit["from"])
    split = check_split(edit["split"])
    name = name_of(relative)
    item = Item(name, split, width, height)
    item = replace(item, id=draft.target_of(item, "from"))
    if item.id in draft.items:
        raise Invalid(f"{item.id!r} is already an item", field="from", item=item.id)
    boxes = _boxes(edit.get("boxes", []), item)
    draft.learn(boxes)
    draft.items[item.id] = replace(item, boxes=boxes)
    draft.freed.discard(item.id)
    draft.steps.append(Step("copy", str(draft.home / relative), item.id))
    draft.described.append(f"added {item.id}")


def _remove(draft: _Draft, edit: dict[str, Any]) -> None:
    item = draft.item(edit["item"])
    del draft.items[item.id]
    draft.freed.add(item.id)
    draft.steps.append(Step("remove", item.id))
    draft.described.append(f"removed {item.id}")


def _move(draft: _Draft, edit: dict[str, Any]) -> None:
    item = draft.item(edit["item"])
    split = check_split(edit["split"])
    if split == item.split:
        return
    moved = replace(item, split=split)
    moved = replace(moved, id=draft.target_of(moved, "split"))
    del draft.items[item.id]
    draft.items[moved.id] = moved
    if moved.id != item.id:
        draft.freed.add(item.id)
        draft.freed.discard(moved.id)
        draft.steps.append(Step("move", item.id, moved.id))
    draft.described.append(f"moved {item.id} to {split}")


def _relabel(draft: _Draft, edit: dict[str, Any]) -> None:
    item = draft.item(edit["item"])
    if "boxes" in edit:
        if "from" in edit or "to" in edit:
            raise Invalid("relabel with boxes, or with from and to, not both", field="boxes")
        boxes = _boxes(edit["boxes"], item)
        text = f"relabelled {item.id} ({len(boxes)} boxes)"
    else:
        if "from" not in edit or "to" not in edit:
            missing = "to" if "from" in edit else "from"
            raise Invalid("relabel needs boxes, or from and to", field=missing, item=item.id)
        old, new = check_label(edit["from"], "from"), check_label(edit["to"], "to")
        if old not in item.labels:
            raise Invalid(f"{item.id} has no box labelled {old!r}", field="from", item=item.id)
        boxes = tuple(replace(b, label=new) if b.label == old else b for b in item.boxes)
        text = f"relabelled {old} as {new} on {item.id}"
    draft.learn(boxes)
    draft.items[item.id] = replace(item, boxes=boxes)
    draft.described.append(text)


APPLY = {"add": _add, "remove": _remove, "move": _move, "relabel": _relabel}


def _image_from(home: Path, value: Any) -> tuple[str, int, int]:
    """`value`: a path in the owner's folder naming an image; its path and size."""
    if not isinstance(value, str) or not value or "\x00" in value:
        raise Invalid("from must be the path of an image in your folder", field="from")
    path = (home / value).resolve()
    if not path.is_relative_to(home):
        raise Invalid(f"{value!r} is outside your folder", field="from", item=value)
    if not path.is_file():
        raise Invalid(f"{value!r} is not a file in your folder", field="from", item=value)
    relative = path.relative_to(home).as_posix()
    if not is_image(relative):
        raise Invalid(f"{value!r} is not an image (by its suffix)", field="from", item=value)
    try:
        width, height = image_size(FolderSource(home), relative)
    except Invalid as bad:
        raise Invalid(bad.message, field="from", item=value) from None
    return relative, width, height


def _boxes(value: Any, item: Item) -> tuple[Box, ...]:
    if not isinstance(value, list) or len(value) > MAX_BOXES:
        raise Invalid(f"boxes must be a list of at most {MAX_BOXES}", field="boxes", item=item.id)
    return tuple(_box(raw, index, item) for index, raw in enumerate(value))


def _box(raw: Any, index: int, item: Item) -> Box:
    where = f"{item.id}: box {index + 1}"
    if not isinstance(raw, dict) or set(raw) - {"label", "x", "y", "width", "height", "score"}:
        raise Invalid(
            f"{where}: an object of label, x, y, width, height and score (optional)",
            field="boxes",
            item=item.id,
        )
    label = check_label(raw.get("label"), "boxes")
    numbers: list[Any] = [raw.get(name) for name in ("x", "y", "width", "height")]
    score = raw.get("score")
    if not all(_finite(n) for n in numbers) or not (score is None or _finite(score)):
        raise Invalid(f"{where}: x, y, width, height must be numbers", field="boxes", item=item.id)
    x, y, width, height = (float(n) for n in numbers)
    if width <= 0 or height <= 0 or x < 0 or y < 0:
        raise Invalid(
            f"{where}: the box has no area or starts before the image", field="boxes", item=item.id
        )
    if x + width > item.width or y + height > item.height:
        raise Invalid(
            f"{where}: the box ends at ({x + width:g}, {y + height:g}), outside the "
            f"{item.width}x{item.height} image",
            field="boxes",
            item=item.id,
        )
    return Box(label, x, y, width, height, None if score is None else float(score))


def _finite(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
