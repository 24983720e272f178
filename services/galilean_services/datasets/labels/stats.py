"""Statistics of a labelled set, shaped for charts: images and boxes per split and class,
images without labels, image sizes, boxes per image, box areas relative to the image and,
when the labels carry scores, a score histogram."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .model import Labelled

MAX_SIZES = 20  # distinct image sizes listed; the rest are counted as "other"
AREA_BINS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0)  # upper bounds of box area / image area
MAX_BOXES_BAR = 10  # boxes per image: 0..9 each, "10+" together
SCORE_BINS = 10


def stats(labelled: Labelled) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": labelled.format,
        "classes": list(labelled.classes),
        "splits": list(labelled.splits),
        "images": len(labelled.items),
        "boxes": sum(len(item.boxes) for item in labelled.items),
        "per_split": _per_split(labelled),
        "per_class": _per_class(labelled),
        "unlabelled": _unlabelled(labelled),
        "image_sizes": _image_sizes(labelled),
        "boxes_per_image": _boxes_per_image(labelled),
        "box_area": _box_area(labelled),
    }
    scores = [box.score for item in labelled.items for box in item.boxes if box.score is not None]
    out["scores"] = _histogram(scores) if scores else None
    return out


def _per_split(labelled: Labelled) -> list[dict[str, Any]]:
    """Per split: its images and boxes, and per class the images showing it and its boxes."""
    rows = []
    for split in labelled.splits:
        items = [item for item in labelled.items if item.split == split]
        images: Counter[str] = Counter()
        boxes: Counter[str] = Counter()
        for item in items:
            images.update(item.labels)
            boxes.update(box.label for box in item.boxes)
        rows.append(
            {
                "split": split,
                "images": len(items),
                "boxes": sum(boxes.values()),
                "classes": {
                    name: {"images": images[name], "boxes": boxes[name]}
                    for name in _names(labelled, images)
                },
            }
        )
    return rows


def _per_class(labelled: Labelled) -> list[dict[str, Any]]:
    images: Counter[str] = Counter()
    boxes: Counter[str] = Counter()
    for item in labelled.items:
        images.update(item.labels)
        boxes.update(box.label for box in item.boxes)
    return [
        {"label": name, "images": images[name], "boxes": boxes[name]}
        for name in _names(labelled, images)
    ]


def _names(labelled: Labelled, seen: Counter[str]) -> list[str]:
    """The declared classes in their order, then any label the items use undeclared."""
    return [*labelled.classes, *sorted(set(seen) - set(labelled.classes))]


def _unlabelled(labelled: Labelled) -> dict[str, int]:
    found: Counter[str] = Counter(item.split for item in labelled.items if not item.boxes)
    return {split: found[split] for split in labelled.splits}


def _image_sizes(labelled: Labelled) -> list[dict[str, Any]]:
    sizes = Counter((item.width, item.height) for item in labelled.items)
    ranked = sorted(sizes.items(), key=lambda pair: (-pair[1], pair[0]))
    rows: list[dict[str, Any]] = [
        {"size": f"{w}x{h}", "width": w, "height": h, "images": count}
        for (w, h), count in ranked[:MAX_SIZES]
    ]
    rest = sum(count for _size, count in ranked[MAX_SIZES:])
    if rest:
        rows.append({"size": "other", "width": None, "height": None, "images": rest})
    return rows


def _boxes_per_image(labelled: Labelled) -> list[dict[str, Any]]:
    counts = Counter(min(len(item.boxes), MAX_BOXES_BAR) for item in labelled.items)
    top = max(counts, default=0)
    return [
        {"boxes": str(n) if n < MAX_BOXES_BAR else f"{MAX_BOXES_BAR}+", "images": counts[n]}
        for n in range(top + 1)
    ]


def _box_area(labelled: Labelled) -> list[dict[str, Any]]:
    counts = [0] * len(AREA_BINS)
    for item in labelled.items:
        area = item.width * item.height
        for box in item.boxes:
            share = box.width * box.height / area if area > 0 else 1.0
            counts[_bin(share)] += 1
    lows = (0.0, *AREA_BINS[:-1])
    return [
        {"from": low, "to": high, "boxes": count}
        for low, high, count in zip(lows, AREA_BINS, counts, strict=True)
    ]


def _bin(share: float) -> int:
    for index, high in enumerate(AREA_BINS):
        if share <= high:
            return index
    return len(AREA_BINS) - 1


def _histogram(scores: list[float]) -> dict[str, Any]:
    """Ten equal bins over [0, 1] when every score lies there, else over their range."""
    low, high = (0.0, 1.0) if min(scores) >= 0 and max(scores) <= 1 else (min(scores), max(scores))
    width = (high - low) / SCORE_BINS or 1.0
    counts = [0] * SCORE_BINS
    for score in scores:
        counts[min(int((score - low) / width), SCORE_BINS - 1)] += 1
    return {
        "min": min(scores),
        "max": max(scores),
        "bins": [
            {"from": low + i * width, "to": low + (i + 1) * width, "boxes": counts[i]}
            for i in range(SCORE_BINS)
        ],
    }
