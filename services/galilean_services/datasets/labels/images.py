"""The images of a labelled set: which files are images, their size read from the header
only (Pillow opens lazily: `.size` decodes no pixel), and the checks every layout's reader
makes of a box against its image."""

from __future__ import annotations

import math
import warnings
from pathlib import PurePosixPath

from PIL import Image, UnidentifiedImageError

from ..model import Invalid
from .model import SPLIT, Box, Labelled
from .source import FileSource

SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"})
SLACK = 1.0  # a box may pass the image's edge by this many pixels (rounding in tools)


def is_image(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in SUFFIXES


def image_size(source: FileSource, path: str) -> tuple[int, int]:
    """(width, height) from `path`'s header; Invalid naming the image when Pillow cannot
    read it (not an image, truncated header, a decompression bomb)."""
    local = source.local_path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(local) as image:
                width, height = image.size
    except FileNotFoundError:
        raise Invalid(f"{path!r}: the image is missing", item=path) from None
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid(f"{path!r} is not an image Pillow can read", item=path) from None
    except (OSError, ValueError, SyntaxError) as failed:
        raise Invalid(f"{path!r}: the image cannot be read ({failed})", item=path) from None
    return int(width), int(height)


def checked_box(box: Box, width: int, height: int, where: str, label_file: str) -> Box:
    """`box` when it has a size and lies in the image (`SLACK` pixels allowed), else
    Invalid naming `label_file` and `where` (the line or annotation)."""
    numbers = (box.x, box.y, box.width, box.height, 0.0 if box.score is None else box.score)
    if not all(math.isfinite(n) for n in numbers):
        raise Invalid(f"{label_file}: {where}: a number is not finite", item=label_file)
    if not box.width > 0 or not box.height > 0:
        raise Invalid(
            f"{label_file}: {where}: the box has no area (width {box.width:g}, "
            f"height {box.height:g})",
            item=label_file,
        )
    right, bottom = box.x + box.width, box.y + box.height
    if box.x < -SLACK or box.y < -SLACK or right > width + SLACK or bottom > height + SLACK:
        raise Invalid(
            f"{label_file}: {where}: the box ({box.x:g}, {box.y:g}) to ({right:g}, "
            f"{bottom:g}) lies outside the {width}x{height} image",
            item=label_file,
        )
    return box


def number_text(value: float) -> str:
    """A coordinate as label files write it: an integer when it is one (to 0.01), else
    two decimals, never an exponent."""
    if abs(value - round(value)) < 0.01:
        return str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def stem_of(path: str) -> str:
    return PurePosixPath(path).stem


def name_of(path: str) -> str:
    return PurePosixPath(path).name


def class_numbers(labelled: Labelled, start: int = 0) -> dict[str, int]:
    """Class name → its number (`start`, `start`+1… in the classes' order); Invalid
    naming the item whose box has a label that is not one of the classes."""
    numbers = {name: start + index for index, name in enumerate(labelled.classes)}
    for item in labelled.items:
        for box in item.boxes:
            if box.label not in numbers:
                raise Invalid(
                    f"{item.id}: label {box.label!r} is not one of the classes",
                    item=item.id,
                )
    return numbers


def split_named(split: str, label_file: str) -> str:
    """`split` (taken from a folder or file name) when it is a split's name, else Invalid
    naming `label_file`."""
    if not SPLIT.fullmatch(split):
        raise Invalid(
            f"{label_file}: {split!r} is not a split name (letters, digits, - and _, up to "
            "32): rename the folder or file",
            item=label_file,
        )
    return split
