"""The three layouts by name: which one a folder or snapshot is in, and reading it into
the one model (labels/model.py). Each layout module offers `detect(paths)`,
`read(source)`, `render(labelled)` (its label and metadata files) and `image_path(item)`
(where an item's image goes in that layout)."""

from __future__ import annotations

from types import ModuleType
from typing import Protocol, cast

from ..model import Invalid
from . import coco, voc, yolo
from .model import FORMATS, Format, Item, Labelled, check_format
from .source import FileSource

LOOKED_FOR = (
    "YOLO (data.yaml, images/ and labels/), COCO (annotations/instances_<split>.json or "
    "<split>/_annotations.coco.json) or Pascal VOC (Annotations/*.xml, JPEGImages/)"
)


class Layout(Protocol):
    def detect(self, paths: list[str]) -> bool: ...

    def read(self, source: FileSource) -> Labelled: ...

    def render(self, labelled: Labelled) -> dict[str, bytes]: ...

    def image_path(self, item: Item) -> str: ...


MODULES: dict[Format, ModuleType] = {"yolo": yolo, "coco": coco, "voc": voc}


def module_of(fmt: Format) -> Layout:
    return cast(Layout, MODULES[check_format(fmt)])


def detect(source: FileSource) -> Format:
    """The first layout (YOLO, COCO, VOC) whose files are there; Invalid naming `format`
    and what was looked for when none is."""
    paths = source.paths()
    for fmt in FORMATS:
        if module_of(fmt).detect(paths):
            return fmt
    raise Invalid(f"format: no labelled images found: looked for {LOOKED_FOR}", field="format")


def read_labelled(source: FileSource, fmt: Format | None = None) -> Labelled:
    return module_of(fmt if fmt is not None else detect(source)).read(source)
