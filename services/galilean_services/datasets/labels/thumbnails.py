"""A JPEG thumbnail of an item's image with its boxes drawn, scaled with the image; each
class has one colour, the same in every thumbnail and every session (from its name)."""

from __future__ import annotations

import colorsys
import hashlib
import io
from typing import Any

from PIL import Image, ImageDraw, UnidentifiedImageError

from ..model import Invalid
from .model import Item
from .source import FileSource

MIN_SIZE, MAX_SIZE = 16, 512


def check_size(value: Any, field: str = "thumbnails") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_SIZE <= value <= MAX_SIZE:
        raise Invalid(
            f"a thumbnail's size is a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}",
            field=field,
        )
    return value


def colour_of(label: str) -> tuple[int, int, int]:
    """A saturated, bright colour picked by the label's name."""
    hue = int.from_bytes(hashlib.sha256(label.encode()).digest()[:2], "big") / 65536
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.9, 1.0)
    return round(red * 255), round(green * 255), round(blue * 255)


def thumbnail(source: FileSource, item: Item, size: int = 128) -> bytes:
    """The item's image scaled so its longer side is `size` (never enlarged), its boxes
    outlined in their class's colour, as JPEG bytes."""
    size = check_size(size)
    picture = _open(source, item)
    scale = min(size / max(picture.width, picture.height), 1.0)
    # The label file's width and height (COCO, VOC) give the boxes' frame: draw in it.
    frame_x = picture.width / item.width if item.width else 1.0
    frame_y = picture.height / item.height if item.height else 1.0
    small = picture.resize(
        (max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
        Image.Resampling.BILINEAR,
        reducing_gap=2.0,
    )
    draw = ImageDraw.Draw(small)
    line = max(2, round(max(small.size) / 64))
    for box in item.boxes:
        left = box.x * frame_x * scale
        top = box.y * frame_y * scale
        right = (box.x + box.width) * frame_x * scale
        bottom = (box.y + box.height) * frame_y * scale
        draw.rectangle(
            (left, top, max(left, right - 1), max(top, bottom - 1)),
            outline=colour_of(box.label),
            width=line,
        )
    out = io.BytesIO()
    small.save(out, "JPEG", quality=85, subsampling=0)  # colours stay sharp
    return out.getvalue()


def _open(source: FileSource, item: Item) -> Image.Image:
    path = source.local_path(item.id)
    try:
        with Image.open(path) as opened:
            opened.draft("RGB", (MAX_SIZE * 2, MAX_SIZE * 2))  # JPEG: decode at a smaller scale
            return opened.convert("RGB")
    except FileNotFoundError as error:
        raise Invalid(f"the image of {item.id!r} is missing", item=item.id) from error
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise Invalid(f"{item.id!r} is not a readable image", item=item.id) from error
