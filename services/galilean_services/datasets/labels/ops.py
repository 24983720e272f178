"""The items and stats requests of a labelled files dataset, answered from its store (a
snapshot, the head by default; no restore, no working folder), as a worker runs them:
`items_request(store, args)` and `stats_request(store, args)`."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from ..model import Invalid
from .index import read_snapshot
from .items import page_of
from .stats import stats
from .thumbnails import check_size, thumbnail

ITEM_ARGS = (
    "snapshot",
    "split",
    "label",
    "min_score",
    "max_score",
    "q",
    "offset",
    "limit",
    "thumbnails",
)
STATS_ARGS = ("snapshot",)


def items_request(store: Path, args: dict[str, Any]) -> dict[str, Any]:
    """{snapshot, format, classes, total, offset, limit, items}; with `thumbnails` (a
    size in pixels) each item also carries "thumbnail": a JPEG data URL."""
    _known(args, ITEM_ARGS)
    size = args.get("thumbnails")
    if size is not None:
        check_size(size)
    source, labelled = read_snapshot(store, args.get("snapshot"))
    offset, limit = args.get("offset", 0), args.get("limit", 50)
    total, page = page_of(
        labelled,
        split=args.get("split"),
        label=args.get("label"),
        min_score=args.get("min_score"),
        max_score=args.get("max_score"),
        q=args.get("q"),
        offset=offset,
        limit=limit,
    )
    items = []
    for item in page:
        shown = item.to_json()
        if size is not None:
            jpeg = base64.b64encode(thumbnail(source, item, size)).decode()
            shown["thumbnail"] = f"data:image/jpeg;base64,{jpeg}"
        items.append(shown)
    return {
        "snapshot": source.number,
        "format": labelled.format,
        "classes": list(labelled.classes),
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": items,
    }


def stats_request(store: Path, args: dict[str, Any]) -> dict[str, Any]:
    _known(args, STATS_ARGS)
    source, labelled = read_snapshot(store, args.get("snapshot"))
    return {"snapshot": source.number, **stats(labelled)}


def _known(args: Any, names: tuple[str, ...]) -> None:
    if not isinstance(args, dict):
        raise Invalid("the request's arguments must be an object", field="args")
    unknown = sorted(set(args) - set(names))
    if unknown:
        raise Invalid(f"{unknown[0]} is not an argument of this request", field=unknown[0])
