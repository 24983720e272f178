"""A page of a labelled set's items, filtered by split, label, score range and a text in
the image's path; every bad argument is refused naming it."""

from __future__ import annotations

import math
from typing import Any

from ..model import Invalid
from .model import Item, Labelled, check_label, check_split

MAX_LIMIT = 500
MAX_QUERY = 256


def list_items(
    labelled: Labelled,
    *,
    split: Any = None,
    label: Any = None,
    min_score: Any = None,
    max_score: Any = None,
    q: Any = None,
    offset: Any = 0,
    limit: Any = 50,
) -> dict[str, Any]:
    """{total, offset, limit, items}: `total` counts every item the filters keep, `items`
    the page of them from `offset` (in the set's order: by path)."""
    total, page = page_of(
        labelled,
        split=split,
        label=label,
        min_score=min_score,
        max_score=max_score,
        q=q,
        offset=offset,
        limit=limit,
    )
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": [item.to_json() for item in page],
    }


def page_of(
    labelled: Labelled,
    *,
    split: Any = None,
    label: Any = None,
    min_score: Any = None,
    max_score: Any = None,
    q: Any = None,
    offset: Any = 0,
    limit: Any = 50,
) -> tuple[int, list[Item]]:
    """How many items the filters keep, and the page of them."""
    keep = _filter(
        split=None if split is None else check_split(split),
        label=None if label is None else check_label(label),
        low=_score(min_score, "min_score"),
        high=_score(max_score, "max_score"),
        text=_query(q),
    )
    start = _whole(offset, "offset", 0, None)
    size = _whole(limit, "limit", 1, MAX_LIMIT)
    kept = [item for item in labelled.items if keep(item)]
    return len(kept), kept[start : start + size]


def _filter(
    *, split: str | None, label: str | None, low: float | None, high: float | None, text: str | None
) -> Any:
    if low is not None and high is not None and low > high:
        raise Invalid("min_score is larger than max_score", field="min_score")

    def keep(item: Item) -> bool:
        if split is not None and item.split != split:
            return False
        if label is not None and label not in item.labels:
            return False
        if text is not None and text not in item.id.casefold():
            return False
        if low is None and high is None:
            return True
        score = item.score
        if score is None:
            return False
        return (low is None or score >= low) and (high is None or score <= high)

    return keep


def _score(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(f"{field} must be a number", field=field)
    return float(value)


def _query(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_QUERY:
        raise Invalid(f"q must be text of at most {MAX_QUERY} characters", field="q")
    return value.casefold()


def _whole(value: Any, field: str, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise Invalid(f"{field} must be a whole number of at least {low}", field=field)
    if high is not None and value > high:
        raise Invalid(f"{field} must be at most {high}", field=field)
    return value
