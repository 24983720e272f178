"""One model for a labelled image set whatever its layout: items (an image, its split and
its boxes) and the class names. Boxes are in pixels, origin at the image's top-left
corner, so converting between YOLO (normalised centres), COCO (x, y, w, h) and VOC
(corners, 1-based) goes through one representation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..model import Invalid

Format = Literal["yolo", "coco", "voc"]
FORMATS: tuple[Format, ...] = ("yolo", "coco", "voc")
SPLIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
LABEL = re.compile(r"^[^\x00-\x1f/\\]{1,128}$")


@dataclass(frozen=True)
class Box:
    label: str
    x: float  # left, pixels
    y: float  # top, pixels
    width: float
    height: float
    score: float | None = None  # a model's confidence, when the labels are predictions

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "x": round(self.x, 3),
            "y": round(self.y, 3),
            "width": round(self.width, 3),
            "height": round(self.height, 3),
        }
        if self.score is not None:
            out["score"] = self.score
        return out


@dataclass(frozen=True)
class Item:
    """`id`: the image's path relative to the dataset's folder (unique); `split`: train,
    val, test… ("" when the layout has no split); `label_file`: where its labels live
    (None when it has none yet)."""

    id: str
    split: str
    width: int
    height: int
    boxes: tuple[Box, ...] = ()
    label_file: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({box.label for box in self.boxes}))

    @property
    def score(self) -> float | None:
        scores = [box.score for box in self.boxes if box.score is not None]
        return max(scores) if scores else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "split": self.split,
            "width": self.width,
            "height": self.height,
            "labels": list(self.labels),
            "score": self.score,
            "boxes": [box.to_json() for box in self.boxes],
            "label_file": self.label_file,
        }


@dataclass(frozen=True)
class Labelled:
    format: Format
    classes: tuple[str, ...]
    items: tuple[Item, ...]
    # Layout facts a writer keeps when it rewrites the same format (the data.yaml's other
    # keys, the COCO info/licenses blocks…).
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def splits(self) -> tuple[str, ...]:
        return tuple(sorted({item.split for item in self.items}))

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        from ..model import NotFound

        raise NotFound(f"no item {item_id!r} in the dataset", item=item_id)


def check_split(value: Any, field: str = "split") -> str:
    if not isinstance(value, str) or not SPLIT.fullmatch(value):
        raise Invalid(
            f"{value!r} is not a split name (letters, digits, - and _, up to 32)", field=field
        )
    return value


def check_label(value: Any, field: str = "label") -> str:
    if not isinstance(value, str) or not LABEL.fullmatch(value) or value != value.strip():
        raise Invalid(f"{value!r} is not a label (1 to 128 printable characters)", field=field)
    return value


def check_format(value: Any, field: str = "format") -> Format:
    if value not in FORMATS:
        raise Invalid(f"format must be one of {', '.join(FORMATS)}", field=field)
    return value
